import { LANES, type Lane, type Source, SOURCES, ingestionStreamName, laneDurable } from '@evp/contracts';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { type UniqueNames, uniqueNames } from '../nats/unique-names';
import { type LedgerReconciliation, reconcileLedger } from './ledger.loader';
import { type PublisherRun } from './publisher.process';
import { createTestDatabase } from '../postgres/test-database';
import { type ServiceName, ServiceProcess } from './service.process';

/** The four long-running services, in the order they are started. */
export const SYSTEM_SERVICES: readonly ServiceName[] = ['gateway', 'fb-collector', 'ttk-collector', 'reporter'];

const COLLECTOR_OF: Record<Source, ServiceName> = { facebook: 'fb-collector', tiktok: 'ttk-collector' };

export interface StartSystemOptions {
  /** Prefix of the stream, subject and durable names made unique for this run. @default 'system' */
  name?: string;
  /**
   * Database the services use, already migrated (the services start with MIGRATE_ON_START=false unless `env` says
   * otherwise); when absent a fresh migrated test database is created and dropped by `dispose()`.
   */
  databaseUrl?: string;
  /** @default process.env.NATS_URL ?? 'nats://127.0.0.1:4222' */
  natsUrl?: string;
  /** Environment given to every service on top of the system's own. */
  env?: Record<string, string>;
  /** Environment for one service only, applied last. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** @default 60_000 */
  readyTimeoutMs?: number;
}

/** Work a durable consumer has not finished: not yet delivered plus delivered and not acked. */
export interface ConsumerBacklog {
  pending: number;
  ackPending: number;
}

export interface DrainOptions {
  /** @default 60_000 */
  timeoutMs?: number;
  /** The stored row count must stay unchanged this long with no consumer work left. @default 2_000 */
  stableForMs?: number;
}

/**
 * Gateway, both collectors and the reporter as real processes from their build, on one database and on stream,
 * subject and durable names no other run uses, so a whole-system test or benchmark never touches `npm start`'s
 * data or another suite's messages.
 */
export class PipelineSystem {
  private constructor(
    readonly names: UniqueNames,
    readonly databaseUrl: string,
    readonly natsUrl: string,
    readonly services: ReadonlyMap<ServiceName, ServiceProcess>,
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly db: Client,
    private readonly dropDatabase: (() => Promise<void>) | undefined,
  ) {}

  static async start(options: StartSystemOptions = {}): Promise<PipelineSystem> {
    const names = uniqueNames(options.name ?? 'system');
    const natsUrl = options.natsUrl ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    const created = options.databaseUrl === undefined ? await createTestDatabase() : undefined;
    const databaseUrl = options.databaseUrl ?? created?.url ?? '';
    const shared: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      NATS_URL: natsUrl,
      EVENTS_STREAM: names.stream,
      EVENTS_SUBJECT_PREFIX: names.subjectPrefix,
      DEAD_LETTER_STREAM: names.deadLetterStream,
      DEAD_LETTER_SUBJECT_PREFIX: names.deadLetterPrefix,
      LOG_LEVEL: 'info',
      // The database is migrated before the services start (a migrated clone, or `npm run db:migrate` for a given
      // one), as `npm start` does: three services each running the migration CLI at once only slow the start.
      MIGRATE_ON_START: 'false',
      ...options.env,
    };
    const envOf = (service: ServiceName): Record<string, string> => ({
      ...shared,
      ...(service.endsWith('collector') ? { CONSUMER_DURABLE: names.durable(service) } : {}),
      ...options.serviceEnv?.[service],
    });
    const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    const services = new Map<ServiceName, ServiceProcess>();
    const nc = await connect({ servers: natsUrl });
    const db = new Client({ connectionString: databaseUrl });
    try {
      await db.connect();
      // The gateway provisions the streams first, so the collectors never race it creating them.
      services.set('gateway', await ServiceProcess.start('gateway', { env: envOf('gateway'), readyTimeoutMs }));
      const rest = SYSTEM_SERVICES.filter((service) => service !== 'gateway');
      const started = await Promise.allSettled(
        rest.map((service) => ServiceProcess.start(service, { env: envOf(service), readyTimeoutMs })),
      );
      started.forEach((result, index) => {
        if (result.status === 'fulfilled') services.set(rest[index] as ServiceName, result.value);
      });
      const failure = started.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    } catch (error) {
      await Promise.all([...services.values()].map((service) => service.kill()));
      await Promise.allSettled([nc.close(), db.end()]);
      await deleteStreams(natsUrl, names);
      await created?.drop();
      throw error;
    }
    const dropDatabase = created ? () => created.drop() : undefined;
    return new PipelineSystem(names, databaseUrl, natsUrl, services, nc, await jetstreamManager(nc), db, dropDatabase);
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not part of this system`);
    return service;
  }

  get gateway(): ServiceProcess {
    return this.service('gateway');
  }

  get reporter(): ServiceProcess {
    return this.service('reporter');
  }

  collector(source: Source): ServiceProcess {
    return this.service(COLLECTOR_OF[source]);
  }

  get webhookUrl(): string {
    return `${this.gateway.url}/webhook`;
  }

  /** Runs a query on the system's database through the system's own connection. */
  async query<Row extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<Row[]> {
    return (await this.db.query<Row>(text, values)).rows;
  }

  /** Compares the ledgers of emulator runs with the stored rows: lost, duplicated and unexpected ids. */
  reconcile(
    runs: ReadonlyArray<Pick<PublisherRun, 'ledgerPath' | 'unacknowledgedPath'>>,
  ): Promise<LedgerReconciliation> {
    return reconcileLedger(
      this.db,
      {
        acknowledgedPaths: runs.map((run) => run.ledgerPath),
        unacknowledgedPaths: runs.map((run) => run.unacknowledgedPath),
      },
      `ledger_${this.names.id}`,
    );
  }

  async storedCount(): Promise<number> {
    const [row] = await this.query<{ count: string }>('SELECT count(*) AS count FROM events');
    return Number(row?.count ?? 0);
  }

  /** Unfinished work of a collector's durable consumer of one lane (the live one unless named). */
  async backlog(source: Source, lane: Lane = 'live'): Promise<ConsumerBacklog> {
    const durable = laneDurable(lane, this.names.durable(COLLECTOR_OF[source]));
    const info = await this.jsm.consumers.info(this.names.stream, durable);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  /** Unfinished consumer work of both collectors together, in both lanes. */
  async totalBacklog(): Promise<number> {
    const backlogs = await Promise.all(LANES.flatMap((lane) => SOURCES.map((source) => this.backlog(source, lane))));
    return backlogs.reduce((sum, backlog) => sum + backlog.pending + backlog.ackPending, 0);
  }

  /**
   * Messages a stream of this system (the events stream unless named) has ever stored: its last sequence number,
   * because the events stream is a work queue that deletes what the collectors acked.
   */
  async streamSequence(stream: string = this.names.stream): Promise<number> {
    return (await this.jsm.streams.info(stream)).state.last_seq;
  }

  /** Bytes the events stream holds now: what the collectors have not acked yet (it is a work queue). */
  async streamBytes(): Promise<number> {
    return (await this.jsm.streams.info(this.names.stream)).state.bytes;
  }

  /** Every message of the dead-letter stream, with its headers. */
  async deadLetters(): Promise<Array<{ subject: string; data: string; headers: Record<string, string> }>> {
    const info = await this.jsm.streams.info(this.names.deadLetterStream);
    const letters: Array<{ subject: string; data: string; headers: Record<string, string> }> = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const message = await this.jsm.streams.getMessage(this.names.deadLetterStream, { seq });
      if (!message) continue;
      const headers: Record<string, string> = {};
      for (const [key, values] of message.header ?? []) headers[key] = values.join(',');
      letters.push({ subject: message.subject, data: message.string(), headers });
    }
    return letters;
  }

  /**
   * Waits until both collectors have had no consumer work left (nothing pending, nothing delivered and unacked) for
   * `stableForMs`, then resolves with the stored row count. The collectors ack only after the commit, so by then
   * everything JetStream held is in the database. Rows are counted once, at the end: a count over millions of rows
   * takes seconds of both cores, and polling it would slow the very drain it waits for.
   */
  async waitUntilDrained(options: DrainOptions = {}): Promise<number> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    const stableForMs = options.stableForMs ?? 2_000;
    let idleSince: number | undefined;
    for (;;) {
      const backlog = await this.totalBacklog();
      if (backlog > 0) idleSince = undefined;
      else {
        idleSince ??= Date.now();
        if (Date.now() - idleSince >= stableForMs) return this.storedCount();
      }
      if (Date.now() > deadline) {
        throw new Error(`the collectors did not drain in time: ${backlog} messages pending`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /**
   * Stops every service with `signal` in the order of a real shutdown (intake first, the reporter last) and
   * returns each exit code.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Record<ServiceName, number | null>> {
    const codes = {} as Record<ServiceName, number | null>;
    codes.gateway = await this.gateway.stop(signal);
    const collectors = await Promise.all(SOURCES.map((source) => this.collector(source).stop(signal)));
    SOURCES.forEach((source, index) => {
      codes[COLLECTOR_OF[source]] = collectors[index] ?? null;
    });
    codes.reporter = await this.reporter.stop(signal);
    return codes;
  }

  /** Kills whatever still runs, deletes the run's streams and, when the system created it, its database. */
  async dispose(): Promise<void> {
    await Promise.all([...this.services.values()].map((service) => service.kill()));
    await Promise.allSettled([this.nc.close(), this.db.end()]);
    await deleteStreams(this.natsUrl, this.names);
    await this.dropDatabase?.();
  }
}

async function deleteStreams(natsUrl: string, names: UniqueNames): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of [names.stream, names.deadLetterStream, ingestionStreamName(names.stream)]) {
      await jsm.streams.delete(stream).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}
