import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { BatchHandlerExplorer } from './batch-handler.explorer';
import { JetStreamConnection } from './jetstream.connection';
import { JetStreamConsumerRunner } from './jetstream.consumer-runner';
import { JetStreamHealth } from './jetstream.health';
import { JetStreamProvisioner } from './jetstream.provisioner';
import { JetStreamPublisher } from './jetstream.publisher';
import { type JetStreamSettings } from './jetstream.settings';
import { JETSTREAM_SETTINGS } from './messaging.constants';

/**
 * The one owner of the module's start and stop order.
 * Start: provision streams and consumers, register readiness checks (init) → start consumers (bootstrap).
 * Stop: stop pulling and finish the batches in hand (before shutdown, while the database is still open) →
 * let publishes in flight settle → drain the connection (shutdown). Bounded by `shutdownTimeoutMs`; idempotent.
 */
@Injectable()
export class JetStreamLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(JetStreamLifecycle.name);
  private deadline: number | undefined;
  private consumersStopped: Promise<boolean> | undefined;
  private closed: Promise<void> | undefined;

  constructor(
    @Inject(JetStreamConnection) private readonly connection: JetStreamConnection,
    @Inject(JetStreamProvisioner) private readonly provisioner: JetStreamProvisioner,
    @Inject(JetStreamHealth) private readonly health: JetStreamHealth,
    @Inject(BatchHandlerExplorer) private readonly explorer: BatchHandlerExplorer,
    @Inject(JetStreamConsumerRunner) private readonly runner: JetStreamConsumerRunner,
    @Inject(JetStreamPublisher) private readonly publisher: JetStreamPublisher,
    @Inject(JETSTREAM_SETTINGS) private readonly settings: JetStreamSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.provisioner.provision();
    } catch (error) {
      // The application will not start: an open connection would only keep the process alive.
      await this.connection.close();
      throw error;
    }
    this.health.register();
  }

  onApplicationBootstrap(): void {
    for (const { durable, handler, location } of this.explorer.discover()) {
      this.runner.register(durable, handler);
      this.logger.log(`${location} handles batches of ${durable}`);
    }
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stopConsumers();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Stops consumers, lets publishes settle, drains NATS. Safe to call more than once; later calls share the first. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private stopConsumers(): Promise<boolean> {
    this.consumersStopped ??= this.withinDeadline(this.runner.stop(), 'stopping consumers');
    return this.consumersStopped;
  }

  private async shutdown(): Promise<void> {
    const settled =
      (await this.stopConsumers()) && (await this.withinDeadline(this.publisher.settled(), 'settling publishes'));
    if (settled && (await this.withinDeadline(this.connection.drain(), 'draining the NATS connection'))) return;
    await this.connection.close();
  }

  private async withinDeadline(work: Promise<unknown>, what: string): Promise<boolean> {
    this.deadline ??= Date.now() + this.settings.shutdownTimeoutMs;
    const remaining = Math.max(0, this.deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), remaining);
    });
    try {
      const finished = await Promise.race([work.then(() => true), timedOut]);
      if (!finished)
        this.logger.error(
          `${what} did not finish within the ${this.settings.shutdownTimeoutMs} ms shutdown limit; closing anyway`,
        );
      return finished;
    } finally {
      clearTimeout(timer);
    }
  }
}
