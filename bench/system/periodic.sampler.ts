import { type BenchLog } from '../shared/bench.console';

export interface PeriodicSamplerOptions<S> {
  observe(): Promise<S>;
  everyMs: number;
  log: BenchLog;
  /** Called with each sample as it is kept, and the one before it. */
  onSample?: (sample: S, previous: S | undefined) => void;
}

/** Keeps an observation every few seconds, plus those taken on demand at the boundaries of a run's phases. */
export class PeriodicSampler<S extends { atMs: number }> {
  readonly samples: S[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(private readonly options: PeriodicSamplerOptions<S>) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sampling = this.options.observe().then(
        (sample) => this.keep(sample),
        (error: unknown) => this.options.log(`sample failed: ${String(error)}`),
      );
    }, this.options.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A sample taken now, outside the periodic ones (phase boundaries). */
  async now(): Promise<S> {
    await this.sampling;
    const sample = await this.options.observe();
    this.keep(sample);
    return sample;
  }

  /** The samples taken from `from` to `to`, both included. */
  between(from: S, to: S): S[] {
    return this.samples.filter((sample) => sample.atMs >= from.atMs && sample.atMs <= to.atMs);
  }

  private keep(sample: S): void {
    const previous = this.samples.at(-1);
    this.samples.push(sample);
    this.options.onSample?.(sample, previous);
  }
}
