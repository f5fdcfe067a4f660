import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GATEWAY_CONFIG } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';
import { EventBatchReader, type EventBatchReaderOptions, type EventBatchSource } from './event-batch.reader';
import { type FromWorker, type ToWorker } from './worker/ingest-worker.protocol';
import { WorkerEventBatchReader } from './worker/worker-event-batch.reader';

interface IngestWorker {
  thread: Worker;
  jobs: Map<number, WorkerEventBatchReader>;
}

// Built JavaScript runs the worker's .js; the TypeScript sources (tests) run it through tsx.
const WORKER_FILE = join(__dirname, 'worker', `event-batch.worker${__filename.endsWith('.ts') ? '.ts' : '.js'}`);
const WORKER_EXEC_ARGV = WORKER_FILE.endsWith('.ts') ? ['--require', 'tsx/cjs'] : [];

/**
 * Hands out a reader for each webhook body. With `INGEST_WORKERS` > 0 the JSON check, parsing and validation
 * run on worker threads (reading the body in shared memory, where the intake put it) and the main thread only moves bytes
 * between HTTP and NATS; with 0 they run on the main thread, sliced between event-loop turns.
 */
@Injectable()
export class EventBatchReaders implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EventBatchReaders.name);
  private readonly options: EventBatchReaderOptions;
  private readonly workers: IngestWorker[] = [];
  private readonly size: number;
  private nextJobId = 1;
  private stopping = false;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.options = {
      maxEventBytes: config.MAX_EVENT_BYTES,
      maxEvents: config.MAX_EVENTS_PER_BODY,
      maxFutureSkewMs: config.MAX_FUTURE_SKEW,
      backfillAfterMs: config.BACKFILL_AFTER,
    };
    this.size = config.INGEST_WORKERS;
  }

  onModuleInit(): void {
    for (let i = 0; i < this.size; i++) this.workers.push(this.spawn());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers.map((worker) => worker.thread.terminate()));
  }

  /** A reader of `body`, received at `receivedAtMs` (epoch milliseconds). */
  create(body: Buffer, receivedAtMs: number): EventBatchSource {
    const options = { ...this.options, receivedAtMs };
    if (this.workers.length === 0) return new EventBatchReader(body, options);
    // The worker with the fewest bodies in hand.
    const worker = this.workers.reduce((least, candidate) =>
      candidate.jobs.size < least.jobs.size ? candidate : least,
    );
    const id = this.nextJobId++;
    const reader = new WorkerEventBatchReader(() => this.post(worker, { kind: 'cancel', id }));
    worker.jobs.set(id, reader);
    this.post(worker, { kind: 'read', id, ...shareable(body), options });
    return reader;
  }

  private spawn(): IngestWorker {
    const worker: IngestWorker = { thread: new Worker(WORKER_FILE, { execArgv: WORKER_EXEC_ARGV }), jobs: new Map() };
    worker.thread.on('message', (message: FromWorker) => {
      const job = worker.jobs.get(message.id);
      if (!job) return;
      job.deliver(message);
      if (job.settled) worker.jobs.delete(message.id);
    });
    worker.thread.on('error', (error) => this.lost(worker, error));
    worker.thread.on('exit', (code) => this.lost(worker, new Error(`ingest worker exited with code ${code}`)));
    return worker;
  }

  /** A worker died: its bodies cannot be read (those requests fail) and a fresh worker takes its place. */
  private lost(worker: IngestWorker, error: Error): void {
    for (const job of worker.jobs.values()) job.fail(error);
    worker.jobs.clear();
    const index = this.workers.indexOf(worker);
    if (index === -1 || this.stopping) return;
    this.logger.error(`ingest worker stopped (${error.message}); starting another`);
    this.workers[index] = this.spawn();
  }

  private post(worker: IngestWorker, message: ToWorker): void {
    worker.thread.postMessage(message);
  }
}

/** The body's bytes as shared memory: as they are when the intake read them there, else copied once. */
function shareable(body: Buffer): { body: SharedArrayBuffer; offset: number; length: number } {
  if (body.buffer instanceof SharedArrayBuffer)
    return { body: body.buffer, offset: body.byteOffset, length: body.length };
  const shared = new SharedArrayBuffer(body.length);
  new Uint8Array(shared).set(body);
  return { body: shared, offset: 0, length: body.length };
}
