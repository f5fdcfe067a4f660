import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DemographicsIndexer } from '@evp/database';
import { METRICS_REGISTRY } from '@evp/observability';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type ReporterConfig } from '../reporter.config';
import { REPORTER_CONFIG } from '../reporter.constants';

/**
 * Keeps the demographics read model close to the events (unless DEMOGRAPHICS_INDEXER is off): every
 * DEMOGRAPHICS_INDEX_INTERVAL_MS it folds the queue of newly stored events in, DEMOGRAPHICS_INDEX_BATCHES queue rows
 * per transaction, until the queue is empty. Reports are exact whatever the lag (they add the queued events
 * themselves); the lag only makes them slower.
 *
 * Metrics: `reporter_demographics_indexed_events_total` and `reporter_demographics_queue_batches` (queue rows
 * waiting, sampled after each run).
 */
@Injectable()
export class DemographicsIndexing implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DemographicsIndexing.name);
  private readonly indexed: Counter;
  private readonly queued: Gauge;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly indexer: DemographicsIndexer,
    @Inject(REPORTER_CONFIG) private readonly config: ReporterConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.indexed = new Counter({
      name: 'reporter_demographics_indexed_events_total',
      help: 'Newly stored events folded into the demographics read model.',
      registers: [registry],
    });
    this.queued = new Gauge({
      name: 'reporter_demographics_queue_batches',
      help: 'Written batches whose events the demographics read model has not folded in yet.',
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.DEMOGRAPHICS_INDEXER) this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.run().finally(() => {
        this.running = undefined;
        if (!this.stopping) this.schedule(this.config.DEMOGRAPHICS_INDEX_INTERVAL_MS);
      });
    }, delayMs);
  }

  /** Folds the queue in until it is empty, another instance holds the indexer lock, or shutdown begins. */
  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        const step = await this.indexer.step(this.config.DEMOGRAPHICS_INDEX_BATCHES);
        if (step === undefined || step.batches === 0) break;
        this.indexed.inc(step.events);
      }
      this.queued.set(await this.indexer.pendingBatches());
    } catch (error) {
      // The database may be down: the queue stays as it is and the next run picks it up.
      this.logger.warn(
        `demographics indexing failed, retrying in ${this.config.DEMOGRAPHICS_INDEX_INTERVAL_MS} ms: ${String(error)}`,
      );
    }
  }
}
