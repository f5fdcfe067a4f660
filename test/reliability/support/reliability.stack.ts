import { randomBytes } from 'node:crypto';
import { type Source, SOURCES, ingestionStreamName } from '@evp/contracts';
import { type ServiceName, ServiceProcess, type UniqueNames, createTestDatabase, uniqueNames } from '@evp/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';

const COLLECTOR_OF: Record<Source, ServiceName> = { facebook: 'fb-collector', tiktok: 'ttk-collector' };

export interface ReliabilityStackOptions {
  /** Prefix of the unique stream, subject and durable names. */
  name: string;
  /** @default process.env.NATS_URL ?? 'nats://127.0.0.1:4222' */
  natsUrl?: string;
  /** A migrated database; when absent a fresh test database is created and dropped by `dispose()`. */
  databaseUrl?: string;
  /** Environment of every service on top of the stack's own. */
  env?: Record<string, string>;
}

/**
 * Gateway, both collectors and the reporter as real processes. Unlike a long-lived client, every database and
 * NATS look-up here opens its own connection, so the stack keeps working while the test restarts PostgreSQL or
 * NATS under it.
 */
export class ReliabilityStack {
  /** The gateway's one webhook token (WEBHOOK_TOKENS), new for every stack. */
  private readonly webhookToken = randomBytes(18).toString('base64url');

  private constructor(
    readonly names: UniqueNames,
    readonly natsUrl: string,
    readonly databaseUrl: string,
    readonly services: Map<ServiceName, ServiceProcess>,
    private readonly dropDatabase: (() => Promise<void>) | undefined,
    private readonly env: Record<string, string> = {},
    /** Instances beyond the first of a service (`addInstance`), stopped with the stack. */
    private readonly extraInstances: ServiceProcess[] = [],
  ) {}

  static async start(options: ReliabilityStackOptions): Promise<ReliabilityStack> {
    const names = uniqueNames(options.name);
    const natsUrl = options.natsUrl ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    const created = options.databaseUrl === undefined ? await createTestDatabase() : undefined;
    const databaseUrl = options.databaseUrl ?? created?.url ?? '';
    const stack = new ReliabilityStack(names, natsUrl, databaseUrl, new Map(), created?.drop, options.env);
    try {
      // The gateway provisions the streams before the collectors bind their consumers to them.
      for (const service of ['gateway', 'fb-collector', 'ttk-collector', 'reporter'] as const) {
        stack.services.set(service, await ServiceProcess.start(service, { env: stack.envOf(service) }));
      }
    } catch (error) {
      await stack.dispose();
      throw error;
    }
    return stack;
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running in this stack`);
    return service;
  }

  /**
   * Starts one more instance of a service with the same environment (streams, durable, database), on a port of
   * its own: instances of a collector share its durable consumer and split the work.
   */
  async addInstance(name: ServiceName): Promise<ServiceProcess> {
    const instance = await ServiceProcess.start(name, { env: this.envOf(name) });
    this.extraInstances.push(instance);
    return instance;
  }

  /**
   * The first gateway's webhook, with the token in the query: the scenarios run with authentication on, the way the
   * real publisher (whose only setting is its endpoint) sends.
   */
  get webhookUrl(): string {
    return this.webhookUrlOf(this.service('gateway'));
  }

  webhookUrlOf(gateway: ServiceProcess): string {
    return `${gateway.url}/webhook?token=${this.webhookToken}`;
  }

  async query<Row extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<Row[]> {
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<Row>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  /** Runs `work` with one connection of its own (for scratch tables that must outlive one statement). */
  async withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  async storedCount(): Promise<number> {
    const [row] = await this.query<{ count: string }>('SELECT count(*) AS count FROM events');
    return Number(row?.count ?? 0);
  }

  /** Messages of both durable consumers not yet delivered or delivered and not acked. */
  async backlog(): Promise<number> {
    const nc = await connect({ servers: this.natsUrl.split(',') });
    try {
      const jsm = await jetstreamManager(nc);
      let total = 0;
      for (const source of SOURCES) {
        const info = await jsm.consumers.info(this.names.stream, this.names.durable(COLLECTOR_OF[source]));
        total += info.num_pending + info.num_ack_pending;
      }
      return total;
    } finally {
      await nc.close();
    }
  }

  /** Waits until the consumers have nothing left and the row count has stood still for `stableForMs`. */
  async waitUntilDrained(timeoutMs = 120_000, stableForMs = 3_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const [backlog, count] = await Promise.all([this.backlog().catch(() => -1), this.storedCount().catch(() => -1)]);
      if (count !== last || backlog !== 0) {
        last = count;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= stableForMs) {
        return count;
      }
      if (Date.now() > deadline) throw new Error(`not drained in time: backlog ${backlog}, ${count} rows stored`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Waits until the service answers its readiness probe with 200. */
  async waitReady(name: ServiceName, timeoutMs = 60_000): Promise<void> {
    await this.service(name).waitReady(timeoutMs);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.services.values(), ...this.extraInstances].map((service) => service.kill()));
    await this.deleteStreams().catch(() => undefined);
    await this.dropDatabase?.();
  }

  private envOf(service: ServiceName): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      NATS_URL: this.natsUrl,
      EVENTS_STREAM: this.names.stream,
      EVENTS_SUBJECT_PREFIX: this.names.subjectPrefix,
      DEAD_LETTER_STREAM: this.names.deadLetterStream,
      DEAD_LETTER_SUBJECT_PREFIX: this.names.deadLetterPrefix,
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'info',
      ...(service.endsWith('collector') ? { CONSUMER_DURABLE: this.names.durable(service) } : {}),
      ...(service === 'gateway' ? { WEBHOOK_TOKENS: this.webhookToken } : {}),
      ...this.env,
    };
  }

  private async deleteStreams(): Promise<void> {
    const nc = await connect({ servers: this.natsUrl.split(',') });
    try {
      const jsm = await jetstreamManager(nc);
      for (const stream of [this.names.stream, this.names.deadLetterStream, ingestionStreamName(this.names.stream)])
        await jsm.streams.delete(stream).catch(() => false);
    } finally {
      await nc.close();
    }
  }
}
