import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineSystem, type PublisherRun, runPublisher } from '@evp/testing';
import { DashboardCheckError } from './check.errors';
import { declaredMetricNames } from './metric-names';
import { ReporterTraffic } from './reporter.traffic';
import { type TeardownStack } from './teardown.stack';

export interface PipelineLoadOptions {
  natsUrl: string;
  /** The publisher emulator's flags (see its `--help`), without `endpoint`: it runs until stopped. */
  publisherFlags: Record<string, string | number>;
  /** Pause between two reporter requests. */
  reporterPauseMs: number;
  log: (line: string) => void;
}

/** Generous: on a machine shared with other test runs, start-up has taken over 30 s. */
const READY_TIMEOUT_MS = 120_000;

/** The emulator's closing summary, printed when it stops. */
const PUBLISHER_SUMMARY_LINES = 8;

/**
 * The whole pipeline (`PipelineSystem`: its own database, streams and durables) under the publisher emulator's
 * load and a trickle of report requests. Every part registers how to undo it on the teardown stack as soon as it
 * exists.
 */
export class PipelineLoad {
  private constructor(
    readonly system: PipelineSystem,
    private readonly publisher: Promise<PublisherRun>,
    private readonly stopSignal: AbortController,
    private readonly publisherStopped: () => string | undefined,
  ) {}

  static async start(options: PipelineLoadOptions, teardown: TeardownStack): Promise<PipelineLoad> {
    // Warnings and errors only: the check reads metrics, and a failure message shows the service's last lines.
    const system = await PipelineSystem.start({
      name: 'dashcheck',
      natsUrl: options.natsUrl,
      env: { LOG_LEVEL: 'warn' },
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
    teardown.add('delete the streams and the database', () => system.dispose());
    teardown.add('stop the services', () => stopGracefully(system));
    options.log(`database ${system.databaseUrl}, streams ${system.names.stream} and ${system.names.deadLetterStream}`);
    for (const [name, service] of system.services) options.log(`${name} ready on ${service.url}`);

    const directory = await mkdtemp(join(tmpdir(), 'evp-dashcheck-publisher-'));
    teardown.add(`remove ${directory}`, () => rm(directory, { recursive: true, force: true }));
    const stopSignal = new AbortController();
    let stopped: string | undefined;
    const publisher = runPublisher({
      endpoint: system.webhookUrl,
      flags: options.publisherFlags,
      directory,
      signal: stopSignal.signal,
    });
    publisher.then(
      (run) => (stopped = `exit ${run.exitCode}`),
      (error: unknown) => (stopped = error instanceof Error ? error.message : String(error)),
    );
    const load = new PipelineLoad(system, publisher, stopSignal, () => stopped);
    teardown.add('stop the publisher emulator', async () => {
      const run = await load.stopPublisher();
      for (const line of run.output.slice(-PUBLISHER_SUMMARY_LINES)) options.log(`  publisher | ${line}`);
    });
    options.log(`publisher emulator: ${JSON.stringify(options.publisherFlags)}`);

    const traffic = ReporterTraffic.start(system.reporter.url, options.reporterPauseMs);
    teardown.add('stop the report requests', async () => {
      const summary = await traffic.stop();
      const answers = [...summary.answers].map(([answer, count]) => `${count} × ${answer}`).join(', ');
      options.log(`report requests answered: ${answers || 'none'}`);
      for (const line of summary.unexpected) options.log(`  unexpected answer: ${line}`);
    });
    return load;
  }

  /** Stops the emulator (once; later calls get the same run) and resolves with its run; rejects if it failed. */
  stopPublisher(): Promise<PublisherRun> {
    this.stopSignal.abort();
    return this.publisher;
  }

  /** Throws when the emulator stopped on its own: without it the event series would stand still. */
  assertPublisherRunning(): void {
    const stopped = this.publisherStopped();
    if (stopped !== undefined && !this.stopSignal.signal.aborted) {
      throw new DashboardCheckError('DASHCHECK.PUBLISHER', `the publisher emulator stopped on its own: ${stopped}`);
    }
  }

  /** The port of each service, keyed by the scrape job that scrapes it (job names are the service names). */
  targetPorts(): Record<string, number> {
    return Object.fromEntries([...this.system.services].map(([name, service]) => [name, service.port]));
  }

  /** Every metric the running services declare on their `/metrics` pages, sampled or not. */
  async declaredMetricNames(): Promise<Set<string>> {
    const pages = await Promise.all(
      [...this.system.services.values()].map(async (service) => (await fetch(`${service.url}/metrics`)).text()),
    );
    return new Set(pages.flatMap((page) => [...declaredMetricNames(page)]));
  }
}

/** A graceful stop is part of what the check proves: a service that does not exit 0 on SIGTERM fails it. */
async function stopGracefully(system: PipelineSystem): Promise<void> {
  const codes = await system.stop('SIGTERM');
  const failed = [...system.services].filter(([name]) => codes[name] !== 0);
  if (failed.length > 0) {
    throw new Error(
      failed.map(([name, service]) => `${name} exited with ${codes[name]} on SIGTERM:\n${service.tail(10)}`).join('\n'),
    );
  }
}
