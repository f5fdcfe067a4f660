import { ReadinessRegistry } from '@evp/observability';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { JetStreamInfoCache } from './jetstream-info.cache';
import { JetStreamConnection } from './jetstream.connection';
import { type JetStreamSettings } from './jetstream.settings';
import { JETSTREAM_SETTINGS } from './messaging.constants';
import { messageOf } from './messaging.errors';
import { declaredStreams } from './stream.config';

/**
 * Readiness checks `nats`, `stream:<name>` and `consumer:<durable>`, registered in the application's
 * `ReadinessRegistry` when the observability module provides one.
 */
@Injectable()
export class JetStreamHealth {
  constructor(
    @Inject(JetStreamConnection) private readonly connection: JetStreamConnection,
    @Inject(JetStreamInfoCache) private readonly infoCache: JetStreamInfoCache,
    @Inject(JETSTREAM_SETTINGS) private readonly settings: JetStreamSettings,
    @Optional() @Inject(ReadinessRegistry) private readonly readiness?: ReadinessRegistry,
  ) {}

  register(): void {
    const registry = this.readiness;
    if (registry === undefined) return;
    registry.register('nats', () => {
      const state = this.connection.state;
      return Promise.resolve(state === 'connected' ? { up: true } : { up: false, message: `NATS connection ${state}` });
    });
    for (const stream of declaredStreams(this.settings)) {
      registry.register(`stream:${stream.name}`, () => this.probe(() => this.infoCache.stream(stream.name)));
    }
    for (const { stream, durable } of this.settings.consumers) {
      registry.register(`consumer:${durable}`, () => this.probe(() => this.infoCache.consumer(stream, durable)));
    }
  }

  private async probe(load: () => Promise<unknown>): Promise<{ up: boolean; message?: string }> {
    if (this.connection.state !== 'connected')
      return { up: false, message: `NATS connection ${this.connection.state}` };
    try {
      await load();
      return { up: true };
    } catch (error) {
      return { up: false, message: messageOf(error) };
    }
  }
}
