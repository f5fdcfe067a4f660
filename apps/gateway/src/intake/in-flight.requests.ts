import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { METRICS_REGISTRY } from '@evp/observability';
import { Counter, Gauge, type Registry } from 'prom-client';
import { GATEWAY_CONFIG } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';

/**
 * Webhook requests between their arrival and both their answer and the end of their processing (a sender
 * that hangs up does not stop the publishing of what it sent). Shutdown waits for them, bounded, before the
 * HTTP server closes and messaging drains, so a batch that arrived before the signal is still published and
 * acknowledged.
 *
 * It also bounds the body bytes those requests hold (MAX_IN_FLIGHT_BYTES): a request is admitted with the size it
 * declares (its Content-Length, or the body limit when it sends none) and holds it until it is out.
 */
@Injectable()
export class InFlightRequests implements BeforeApplicationShutdown {
  private readonly logger = new Logger(InFlightRequests.name);
  /** Holds per request: one until it is answered, one while it is processed. */
  private readonly holds = new Map<object, number>();
  /** Bytes each request in flight was admitted with. */
  private readonly reserved = new Map<object, number>();
  private reservedBytes = 0;
  private readonly refused: Counter;
  private idleWaiters: Array<() => void> = [];
  private readonly drainTimeoutMs: number;
  private readonly maxBytes: number;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, @Inject(METRICS_REGISTRY) registry: Registry) {
    // Leave a quarter of the shutdown budget for closing the server and draining NATS afterwards.
    this.drainTimeoutMs = Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.75);
    this.maxBytes = config.MAX_IN_FLIGHT_BYTES;
    const requests = this.holds;
    const bytes = () => this.reservedBytes;
    new Gauge({
      name: 'gateway_webhook_requests_in_flight',
      help: 'Webhook requests received and not yet answered or still being processed.',
      registers: [registry],
      collect() {
        this.set(requests.size);
      },
    });
    new Gauge({
      name: 'gateway_webhook_bytes_in_flight',
      help: 'Body bytes the webhook requests in flight were admitted with (their Content-Length, or the body limit).',
      registers: [registry],
      collect() {
        this.set(bytes());
      },
    });
    this.refused = new Counter({
      name: 'gateway_requests_over_capacity_total',
      help: 'Webhook requests answered 503 because their body would take the bytes in flight over MAX_IN_FLIGHT_BYTES.',
      registers: [registry],
    });
  }

  /**
   * Counts a request in with the body bytes it may bring, or refuses it (false, counted) when they would take the
   * bytes in flight over the cap. A request arriving when nothing is in flight is always admitted: the body limit
   * bounds it alone.
   */
  admit(request: object, bytes: number): boolean {
    if (this.holds.size > 0 && this.reservedBytes + bytes > this.maxBytes) {
      this.refused.inc();
      return false;
    }
    this.reserved.set(request, bytes);
    this.reservedBytes += bytes;
    this.hold(request);
    return true;
  }

  get size(): number {
    return this.holds.size;
  }

  /** Counts a request in (one hold); each `hold` needs a matching `release`. */
  hold(request: object): void {
    this.holds.set(request, (this.holds.get(request) ?? 0) + 1);
  }

  /** Drops one hold; the request is out once it has none left. Releasing an unknown request does nothing. */
  release(request: object): void {
    const holds = this.holds.get(request);
    if (holds === undefined) return;
    if (holds > 1) {
      this.holds.set(request, holds - 1);
      return;
    }
    this.holds.delete(request);
    this.reservedBytes -= this.reserved.get(request) ?? 0;
    this.reserved.delete(request);
    if (this.holds.size === 0) this.wakeIdleWaiters();
  }

  /** Resolves when no request is in flight, or after `timeoutMs`; tells which. */
  async whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.holds.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([idle, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.holds.size === 0) return;
    this.logger.log(`waiting for ${this.holds.size} in-flight webhook request(s) to finish`);
    if (await this.whenIdle(this.drainTimeoutMs)) {
      this.logger.log('in-flight webhook requests finished');
    } else {
      this.logger.warn(
        `${this.holds.size} webhook request(s) still in flight after ${this.drainTimeoutMs} ms; closing anyway`,
      );
    }
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
