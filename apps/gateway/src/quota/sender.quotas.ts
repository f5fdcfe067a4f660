import { METRICS_REGISTRY } from '@evp/observability';
import { type FactoryProvider } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { GATEWAY_CONFIG } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';
import { TokenBucket } from './token.bucket';

/** The sender of a request while webhook authentication is off: nothing tells senders apart, so they share one. */
export const ANONYMOUS_SENDER = 'anonymous';

export interface SenderQuotaOptions {
  /** Events a second each sender gains; 0 turns quotas off. */
  eventsPerSecond: number;
  /** Events a sender's bucket holds at most; 0 turns quotas off. */
  burstEvents: number;
}

/** What a refused request is told: the IETF draft's `RateLimit-*` fields (draft-ietf-httpapi-ratelimit-headers). */
export interface Throttle {
  sender: string;
  /** Events the sender's bucket holds at most (`RateLimit-Limit`). */
  limit: number;
  /** Events it holds now (`RateLimit-Remaining`, 0 while in debt). */
  remaining: number;
  /** Whole seconds until a request of this sender is admitted again (`Retry-After`, `RateLimit-Reset`), at least 1. */
  retryAfterSeconds: number;
}

/**
 * Per-sender token buckets of events (see {@link TokenBucket}), held in this process: `admit` before a body is
 * published, `charge` once its events are counted. Senders are the authenticated ones (`token-<n>`, `signature`)
 * or {@link ANONYMOUS_SENDER}, a handful at most, so buckets are never evicted. Refusals are counted in
 * `gateway_requests_throttled_total{sender}`.
 */
export class SenderQuotas {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly throttled: Counter<'sender'>;

  constructor(
    private readonly options: SenderQuotaOptions,
    registry: Registry,
    private readonly now: () => number = Date.now,
  ) {
    this.throttled = new Counter({
      name: 'gateway_requests_throttled_total',
      help: 'Webhook requests answered 429 because their sender was over its quota of events a second, by sender.',
      labelNames: ['sender'],
      registers: [registry],
    });
  }

  get enabled(): boolean {
    return this.options.eventsPerSecond > 0 && this.options.burstEvents > 0;
  }

  /** Undefined when the sender may send now; otherwise the refusal (counted). */
  admit(sender: string): Throttle | undefined {
    if (!this.enabled) return undefined;
    const state = this.bucketOf(sender).check();
    if (state.admitted) return undefined;
    this.throttled.inc({ sender });
    return {
      sender,
      limit: this.options.burstEvents,
      remaining: state.remaining,
      retryAfterSeconds: Math.max(1, Math.ceil(state.secondsUntilAdmitted)),
    };
  }

  /** Takes the events a sender's admitted request carried. */
  charge(sender: string, events: number): void {
    if (this.enabled && events > 0) this.bucketOf(sender).charge(events);
  }

  private bucketOf(sender: string): TokenBucket {
    let bucket = this.buckets.get(sender);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.options.eventsPerSecond, this.options.burstEvents, this.now);
      this.buckets.set(sender, bucket);
    }
    return bucket;
  }
}

/**
 * The quotas of one gateway process: QUOTA_EVENTS_PER_SECOND and QUOTA_BURST_EVENTS shared out over QUOTA_REPLICAS
 * processes, since each replica keeps its own buckets.
 */
export const senderQuotasProvider: FactoryProvider<SenderQuotas> = {
  provide: SenderQuotas,
  inject: [GATEWAY_CONFIG, METRICS_REGISTRY],
  useFactory: (config: GatewayConfig, registry: Registry) =>
    new SenderQuotas(
      {
        eventsPerSecond: config.QUOTA_EVENTS_PER_SECOND / config.QUOTA_REPLICAS,
        burstEvents: Math.ceil(config.QUOTA_BURST_EVENTS / config.QUOTA_REPLICAS),
      },
      registry,
    ),
};
