import { Inject, Injectable, Logger } from '@nestjs/common';
import { JetStreamApiCodes, JetStreamApiError, type StreamConfig } from '@nats-io/jetstream';
import { JetStreamConnection } from './jetstream.connection';
import { type JetStreamSettings } from './jetstream.settings';
import { JETSTREAM_SETTINGS } from './messaging.constants';
import { ProvisioningError } from './messaging.errors';
import { consumerConfig, declaredStreams, streamConfig } from './stream.config';

/** Creates the declared streams and durable consumers, or brings existing ones to the declared configuration. */
@Injectable()
export class JetStreamProvisioner {
  private readonly logger = new Logger(JetStreamProvisioner.name);

  constructor(
    @Inject(JetStreamConnection) private readonly connection: JetStreamConnection,
    @Inject(JETSTREAM_SETTINGS) private readonly settings: JetStreamSettings,
  ) {}

  async provision(): Promise<void> {
    for (const stream of declaredStreams(this.settings)) await this.ensureStream(streamConfig(stream));
    for (const consumer of this.settings.consumers) {
      const config = consumerConfig(consumer);
      try {
        // Creating a durable that exists updates it on NATS 2.9+, so one call covers both cases.
        await this.connection.jsm.consumers.add(consumer.stream, config);
      } catch (error) {
        throw new ProvisioningError(`consumer ${consumer.durable} on stream ${consumer.stream}`, { cause: error });
      }
      this.logger.log(`consumer ${consumer.durable} ready on ${consumer.stream} (${consumer.filterSubject})`);
    }
  }

  private async ensureStream(config: Partial<StreamConfig> & { name: string }): Promise<void> {
    const { jsm } = this.connection;
    try {
      let existing = await this.existingStream(config.name);
      if (existing === undefined) {
        try {
          await jsm.streams.add(config);
          this.logger.log(`stream ${config.name} created (${config.retention}, ${config.subjects?.join(', ')})`);
          return;
        } catch (error) {
          // Another instance may have created it in the meantime: then it is checked and updated below.
          existing = await this.existingStream(config.name);
          if (existing === undefined) throw error;
        }
      }
      if (existing.retention !== config.retention) {
        throw new Error(
          `it exists with ${existing.retention} retention, declared ${config.retention}; retention cannot change in place`,
        );
      }
      const { name, retention: _retention, storage: _storage, ...updatable } = config;
      await jsm.streams.update(name, updatable);
      this.logger.log(`stream ${name} up to date (${config.retention}, ${config.subjects?.join(', ')})`);
    } catch (error) {
      throw new ProvisioningError(`stream ${config.name}`, { cause: error });
    }
  }

  private async existingStream(name: string): Promise<StreamConfig | undefined> {
    try {
      return (await this.connection.jsm.streams.info(name)).config;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return undefined;
      throw error;
    }
  }
}
