import type { DatabaseModuleOptions } from '@evp/database';
import type { NatsAuthOptions, RetryBackoffOptions, StreamLimits } from '@evp/messaging';
import type { SourceNormaliser } from './event.normaliser';

/** Where a collector reads from and writes to, and how hard it works. */
export interface CollectorConnectionOptions {
  /** PostgreSQL connection URL. */
  databaseUrl: string;
  /**
   * URL of the schema's owner role, for the start-up migrations and the time partitions (created ahead and on demand,
   * dropped by retention), so that `databaseUrl` can be a role that only writes rows (`DatabaseModule`'s `ownerUrl`).
   * @default databaseUrl
   */
  databaseOwnerUrl?: string;
  /** NATS server URLs. @default ['nats://127.0.0.1:4222'] */
  natsServers?: string[];
  /** The collector's NATS identity and TLS files. @default anonymous */
  natsAuth?: NatsAuthOptions;
  /** NATS connection name shown by the server's monitoring. @default the durable name */
  connectionName?: string;
  /** Stream buffering accepted events; provisioned with the gateway's definition so either may start first. @default 'EVENTS' */
  stream?: string;
  /** Events of source `s` are on `<subjectPrefix>.<s>`. @default 'events' */
  subjectPrefix?: string;
  /** @default 'EVENTS_DLQ' */
  deadLetterStream?: string;
  /** Poison messages go to `<deadLetterSubjectPrefix>.<durable>`. @default 'dlq' */
  deadLetterSubjectPrefix?: string;
  /**
   * Byte and age caps of the events and dead-letter streams; give the gateway's, since whichever service starts
   * last sets them. @default the messaging module's: no byte cap, events kept until consumed, dead letters 30 days
   */
  streamLimits?: { events?: StreamLimits; deadLetter?: StreamLimits };
  /** Durable consumer shared by every instance of this collector. @default COLLECTOR_DURABLES[source] */
  durable?: string;
  /**
   * Messages fetched per pull at most. A pull asks for about `maxEventsPerWrite` events' worth of messages, by the
   * events per message of the previous batch, so this caps pulls of one-event messages (published before events
   * were packed) and bounds the one pull that meets the first packed messages after them.
   * @default 1000
   */
  batchSize?: number;
  /**
   * Events written in one statement and transaction at most: a fetched batch whose messages carry more is written
   * in several statements, and its messages are acked once all of them are committed.
   * @default 5000
   */
  maxEventsPerWrite?: number;
  /**
   * Bytes of events (as received) written in one statement at most, beside `maxEventsPerWrite`: large events make
   * smaller writes. A single event above it is written alone.
   * @default 33554432 (32 MiB)
   */
  maxBytesPerWrite?: number;
  /**
   * Events per second the backfill lane's consumer (`<durable>-backfill` on `<subjectPrefix>.backfill.<source>`)
   * pulls at most, on average: the share of the writer a re-sent history may take from live events.
   * @default 5000
   */
  backfillMaxEventsPerSecond?: number;
  /** Longest a pull waits to fill a batch, at least 1000. @default 1000 */
  maxWaitMs?: number;
  /**
   * Deliveries of a message that keeps failing transiently before it is dead-lettered. Only database outages
   * fail transiently here (poison is dead-lettered at once), and with the default back-off (1 s doubling to
   * 60 s) 60 deliveries ride out about an hour of outage instead of four minutes with 10.
   * @default 60
   */
  maxDeliver?: number;
  /** How long the broker waits for an ack before redelivering (to another instance after a crash). @default 30000 */
  ackWaitMs?: number;
  /** Messages delivered and not yet acked, across all instances. @default 10 × batchSize */
  maxAckPending?: number;
  /** Nak delay of a batch the database could not take. @default { baseMs: 1000, maxMs: 60000 } */
  retryBackoff?: RetryBackoffOptions;
  /** Apply pending migrations at start-up (safe with several instances starting at once). @default false */
  migrateOnStart?: boolean;
  /** Connections in the service's PostgreSQL pool. @default 4 */
  databasePoolSize?: number;
  /** Longest shutdown waits for the batch in hand to be stored and acked and for NATS to drain. @default 10000 */
  shutdownTimeoutMs?: number;
  /**
   * Time partitions and retention, maintained by the collectors (`DatabaseModule`'s `maintainStorage`).
   * @default the database module's: day partitions, 3 ahead, 30 days kept, a pass every 10 minutes
   */
  storage?: CollectorStorageOptions;
}

/** The storage maintenance the collectors run. */
export type CollectorStorageOptions = Pick<
  DatabaseModuleOptions,
  'partitionInterval' | 'partitionsAhead' | 'retentionDays' | 'storageMaintenanceIntervalMs'
>;

/**
 * `CollectorModule.forRoot` options: the source with its normaliser, plus connections and tuning.
 *
 * @example CollectorModule.forRoot({ source: 'facebook', normaliser: normaliseFacebookEvent, databaseUrl })
 */
export type CollectorModuleOptions = SourceNormaliser & CollectorConnectionOptions;
