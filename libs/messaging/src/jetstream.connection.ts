import { Logger } from '@nestjs/common';
import { jetstream, type JetStreamClient, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Status } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { identityOf, natsIdentityOptions } from './nats-identity.options';
import type { JetStreamSettings } from './jetstream.settings';
import { ConnectError, messageOf } from './messaging.errors';

export type ConnectionState = 'connected' | 'reconnecting' | 'draining' | 'closed';

/**
 * The application's one NATS connection, with its JetStream client and manager. Reconnects forever and logs
 * every status change; `state` feeds the readiness check, and `onDisconnect` lets publishes fail at once
 * instead of waiting for PubAcks that will never come.
 */
export class JetStreamConnection {
  private readonly logger = new Logger(JetStreamConnection.name);
  private readonly disconnectListeners = new Set<() => void>();
  private connected = true;
  private drained: Promise<void> | undefined;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {
    void this.watchStatus();
  }

  static async open(settings: JetStreamSettings): Promise<JetStreamConnection> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        ...natsIdentityOptions(settings.auth),
        servers: settings.servers,
        name: settings.connectionName,
        maxReconnectAttempts: -1,
        reconnectTimeWait: settings.reconnectTimeWaitMs,
        waitOnFirstConnect: settings.waitOnFirstConnect,
      });
    } catch (error) {
      throw new ConnectError(settings.servers, { cause: error, identity: identityOf(settings.auth) });
    }
    try {
      const jsm = await jetstreamManager(nc);
      return new JetStreamConnection(nc, jetstream(nc), jsm);
    } catch (error) {
      await nc.close();
      throw new ConnectError(settings.servers, { cause: error });
    }
  }

  get state(): ConnectionState {
    if (this.nc.isClosed()) return 'closed';
    if (this.nc.isDraining()) return 'draining';
    return this.connected ? 'connected' : 'reconnecting';
  }

  /** Called each time the connection drops; returns an unsubscribe function. */
  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /**
   * Drains subscriptions, flushes what is buffered and closes. Idempotent: later calls share the first one.
   */
  drain(): Promise<void> {
    this.drained ??= this.nc.isClosed()
      ? Promise.resolve()
      : this.nc.drain().catch((error: unknown) => {
          this.logger.warn(`drain failed (${messageOf(error)}); closing`);
          return this.nc.close();
        });
    return this.drained;
  }

  /** Closes at once, dropping anything unsent; for a shutdown that ran out of time. */
  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }

  private async watchStatus(): Promise<void> {
    const server = this.nc.getServer();
    this.logger.log(`connected to NATS at ${server}`);
    try {
      for await (const status of this.nc.status()) this.onStatus(status);
    } catch (error) {
      this.logger.error(`NATS status stream failed: ${messageOf(error)}`);
    }
  }

  private onStatus(status: Status): void {
    switch (status.type) {
      case 'disconnect':
        this.connected = false;
        this.logger.warn(`disconnected from NATS at ${status.server}; reconnecting`);
        for (const listener of this.disconnectListeners) listener();
        break;
      case 'reconnect':
        this.connected = true;
        this.logger.log(`reconnected to NATS at ${status.server}`);
        break;
      case 'error':
        this.logger.error(`NATS error: ${status.error.message}`);
        break;
      case 'ldm':
        this.logger.warn(`NATS server ${status.server} entered lame duck mode`);
        break;
      case 'staleConnection':
        this.logger.warn('NATS connection is stale; reconnecting');
        break;
      case 'slowConsumer':
        this.logger.warn(`NATS slow consumer on ${status.sub.getSubject()} (${status.pending} pending)`);
        break;
      case 'close':
        this.connected = false;
        this.logger.log('NATS connection closed');
        break;
      default:
        break;
    }
  }
}
