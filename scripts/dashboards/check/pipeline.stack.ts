import { randomBytes } from 'node:crypto';
import { type ServiceName, ServiceProcess, dropDatabase, quoteIdentifier, withDatabase } from '@evp/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { DashboardCheckError } from './check.errors';
import { declaredMetricNames } from './metric-names';
import { type PublisherLoad, PublisherProcess } from './publisher.process';
import { ReporterTraffic } from './reporter.traffic';
import { type TeardownStack } from './teardown.stack';

/** The check's own names: nothing `npm start`, the tests or another check run use. */
export interface PipelineNames {
  database: string;
  eventsStream: string;
  eventsSubjectPrefix: string;
  deadLetterStream: string;
  deadLetterSubjectPrefix: string;
  durables: Readonly<Record<'fb-collector' | 'ttk-collector', string>>;
}

export function pipelineNames(id = randomBytes(4).toString('hex')): PipelineNames {
  return {
    database: `evp_dashcheck_${id}`,
    eventsStream: `DASHCHECK_${id}`,
    eventsSubjectPrefix: `dashcheck.${id}.events`,
    deadLetterStream: `DASHCHECK_${id}_DLQ`,
    deadLetterSubjectPrefix: `dashcheck.${id}.dlq`,
    durables: { 'fb-collector': `dashcheck-fb-collector-${id}`, 'ttk-collector': `dashcheck-ttk-collector-${id}` },
  };
}

export interface PipelineStackOptions {
  /** A database URL of the PostgreSQL server to use; the check creates and drops its own database there. */
  serverDatabaseUrl: string;
  natsUrl: string;
  load: PublisherLoad;
  /** Pause between two reporter requests. */
  reporterPauseMs: number;
  log: (line: string) => void;
}

/** Generous: on a machine shared with other test runs, start-up with migrations has taken over 30 s. */
const READY_TIMEOUT_MS = 120_000;

/** The emulator's closing summary, printed when it stops. */
const PUBLISHER_SUMMARY_LINES = 8;

/** Start order: the reporter migrates the new database before the collectors connect to it. */
const SERVICE_ORDER: readonly ServiceName[] = ['reporter', 'gateway', 'fb-collector', 'ttk-collector'];

/**
 * The whole pipeline, started from its build on free ports with its own database, streams, subject prefixes and
 * durable consumers, plus the publisher emulator and a trickle of report requests. Every part registers how to
 * undo it on the given teardown stack as soon as it exists.
 */
export class PipelineStack {
  private constructor(
    readonly services: ReadonlyMap<ServiceName, ServiceProcess>,
    readonly publisher: PublisherProcess,
    /** The check's own database, which the services write and read. */
    readonly databaseUrl: string,
  ) {}

  static async start(options: PipelineStackOptions, teardown: TeardownStack): Promise<PipelineStack> {
    const names = pipelineNames();
    const databaseUrl = withDatabase(options.serverDatabaseUrl, names.database);

    options.log(`database ${names.database}, streams ${names.eventsStream} and ${names.deadLetterStream}`);
    await createDatabase(options.serverDatabaseUrl, names.database);
    teardown.add(`drop database ${names.database}`, () => dropDatabase(options.serverDatabaseUrl, names.database));
    teardown.add(`delete streams ${names.eventsStream}, ${names.deadLetterStream}`, () =>
      deleteStreams(options.natsUrl, [names.eventsStream, names.deadLetterStream]),
    );

    const streams = {
      NATS_URL: options.natsUrl,
      EVENTS_STREAM: names.eventsStream,
      EVENTS_SUBJECT_PREFIX: names.eventsSubjectPrefix,
      DEAD_LETTER_STREAM: names.deadLetterStream,
      DEAD_LETTER_SUBJECT_PREFIX: names.deadLetterSubjectPrefix,
    };
    const envOf: Record<ServiceName, Record<string, string>> = {
      gateway: streams,
      'fb-collector': { ...streams, DATABASE_URL: databaseUrl, CONSUMER_DURABLE: names.durables['fb-collector'] },
      'ttk-collector': { ...streams, DATABASE_URL: databaseUrl, CONSUMER_DURABLE: names.durables['ttk-collector'] },
      reporter: { DATABASE_URL: databaseUrl },
    };

    const services = new Map<ServiceName, ServiceProcess>();
    for (const name of SERVICE_ORDER) {
      // Warnings and errors only: the check reads metrics, and a failure message shows the service's last lines.
      const service = await ServiceProcess.start(name, {
        env: { ...envOf[name], LOG_LEVEL: 'warn', MIGRATE_ON_START: 'true' },
        readyTimeoutMs: READY_TIMEOUT_MS,
      });
      services.set(name, service);
      teardown.add(`stop ${name}`, () => stopService(service));
      options.log(`${name} ready on ${service.url}`);
    }

    const gateway = services.get('gateway')!;
    const publisher = PublisherProcess.start(`${gateway.url}/webhook`, options.load);
    teardown.add('stop the publisher emulator', async () => {
      const code = await publisher.stop();
      if (code !== 0) throw new Error(`the publisher exited with ${code}:\n${publisher.tail()}`);
      for (const line of publisher.tail().split('\n').slice(-PUBLISHER_SUMMARY_LINES))
        options.log(`  publisher | ${line}`);
    });
    options.log(
      `publisher emulator: ${options.load.batchMin}-${options.load.batchMax} events every ${options.load.intervalMs} ms, ` +
        `corruption rate ${options.load.corruptionRate}, duplicate rate ${options.load.duplicateRate}`,
    );

    const traffic = ReporterTraffic.start(services.get('reporter')!.url, options.reporterPauseMs);
    teardown.add('stop the report requests', async () => {
      const summary = await traffic.stop();
      const answers = [...summary.answers].map(([answer, count]) => `${count} × ${answer}`).join(', ');
      options.log(`report requests answered: ${answers || 'none'}`);
      for (const line of summary.unexpected) options.log(`  unexpected answer: ${line}`);
    });

    return new PipelineStack(services, publisher, databaseUrl);
  }

  /** The port of each service, keyed by the scrape job that scrapes it (job names are the service names). */
  targetPorts(): Record<string, number> {
    return Object.fromEntries([...this.services].map(([name, service]) => [name, service.port]));
  }

  /** Every metric the running services declare on their `/metrics` pages, sampled or not. */
  async declaredMetricNames(): Promise<Set<string>> {
    const pages = await Promise.all(
      [...this.services.values()].map(async (service) => {
        const response = await fetch(`${service.url}/metrics`);
        return response.text();
      }),
    );
    return new Set(pages.flatMap((page) => [...declaredMetricNames(page)]));
  }

  /** Throws when the emulator stopped on its own: without it the event series would stand still. */
  assertPublisherRunning(): void {
    const code = this.publisher.stoppedWith;
    if (code !== undefined) {
      throw new DashboardCheckError(
        'DASHCHECK.PUBLISHER',
        `the publisher emulator exited with ${code}:\n${this.publisher.tail()}`,
      );
    }
  }
}

async function createDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  } finally {
    await admin.end();
  }
}

async function deleteStreams(natsUrl: string, streams: readonly string[]): Promise<void> {
  const nc = await connect({ servers: natsUrl.split(','), name: 'evp-dashcheck-cleanup' });
  try {
    const jsm = await jetstreamManager(nc);
    const existing = new Set<string>();
    for await (const stream of jsm.streams.names()) existing.add(stream);
    for (const stream of streams) if (existing.has(stream)) await jsm.streams.delete(stream);
  } finally {
    await nc.close();
  }
}

/** A graceful stop is part of what the check proves: a service that does not exit 0 on SIGTERM fails it. */
async function stopService(service: ServiceProcess): Promise<void> {
  const code = await service.stop('SIGTERM');
  if (code !== 0) throw new Error(`${service.name} exited with ${code} on SIGTERM:\n${service.tail(10)}`);
}
