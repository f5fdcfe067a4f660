import { type EventBatchSource, type EventSlice } from '../event-batch.reader';
import { type FromWorker, decodeSlice, deserializeError } from './ingest-worker.protocol';

/**
 * The main thread's side of one body being read by a worker: the same `open()` / `slices()` as reading in
 * place, fed by the worker's messages. Slices are queued as they arrive; the consumer takes them at its pace.
 */
export class WorkerEventBatchReader implements EventBatchSource {
  private readonly queue: EventSlice[] = [];
  private readonly opened: Promise<void>;
  private markOpened!: () => void;
  private failOpen!: (error: Error) => void;
  private wake: (() => void) | undefined;
  private finished = false;
  private failure: Error | undefined;

  constructor(private readonly cancel: () => void) {
    this.opened = new Promise<void>((resolve, reject) => {
      this.markOpened = resolve;
      this.failOpen = reject;
    });
    // A failure before `open()` is awaited must not surface as an unhandled rejection.
    this.opened.catch(() => undefined);
  }

  /** True once the worker said `done` or `failed`. */
  get settled(): boolean {
    return this.finished;
  }

  open(): Promise<void> {
    return this.opened;
  }

  async *slices(): AsyncGenerator<EventSlice> {
    try {
      for (;;) {
        const slice = this.queue.shift();
        if (slice) {
          yield slice;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.finished) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      // The consumer stopped early (a publish failed): the worker can stop reading.
      if (!this.finished) this.cancel();
    }
  }

  /** Routes one message of this job from the worker. */
  deliver(message: FromWorker): void {
    switch (message.kind) {
      case 'opened':
        this.markOpened();
        break;
      case 'slice':
        this.queue.push(decodeSlice(message.slice));
        break;
      case 'done':
        this.finished = true;
        break;
      case 'failed':
        this.fail(deserializeError(message.error));
        break;
    }
    this.wakeConsumer();
  }

  /** The job cannot finish (its worker failed, or the error came from the worker's reading). */
  fail(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = error;
    this.failOpen(error);
    this.wakeConsumer();
  }

  private wakeConsumer(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
