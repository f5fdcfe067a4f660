import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { BatchHandler } from './jetstream.types';
import { JETSTREAM_BATCH_HANDLER } from './messaging.constants';

export interface DiscoveredBatchHandler {
  durable: string;
  handler: BatchHandler;
  /** `Class.method`, for messages. */
  location: string;
}

/** Finds `@JetStreamBatchHandler(durable)` methods on the application's providers and controllers. */
@Injectable()
export class BatchHandlerExplorer {
  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  discover(): DiscoveredBatchHandler[] {
    const found: DiscoveredBatchHandler[] = [];
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance: unknown = wrapper.instance;
      // Request-scoped and not-yet-built providers have no single instance to bind a handler to.
      if (!wrapper.isDependencyTreeStatic() || typeof instance !== 'object' || instance === null) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (prototype === null) continue;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (instance as Record<string, unknown>)[methodName];
        if (typeof method !== 'function') continue;
        const durable = this.reflector.get<string | undefined>(JETSTREAM_BATCH_HANDLER, method);
        if (durable === undefined) continue;
        found.push({
          durable,
          handler: (messages) => (method as BatchHandler).call(instance, messages),
          location: `${instance.constructor.name}.${methodName}`,
        });
      }
    }
    return found;
  }
}
