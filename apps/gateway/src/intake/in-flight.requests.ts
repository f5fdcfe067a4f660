import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { GATEWAY_CONFIG } from '../gateway.constants';
import { type GatewayConfig } from '../gateway.config';

/**
 * Webhook requests between their arrival and their answer. Shutdown waits for them (bounded) before the
 * HTTP server closes and messaging drains, so a batch that arrived before the signal is still published and
 * acknowledged.
 */
@Injectable()
export class InFlightRequests implements BeforeApplicationShutdown {
  private readonly logger = new Logger(InFlightRequests.name);
  private active = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly drainTimeoutMs: number;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    // Leave a quarter of the shutdown budget for closing the server and draining NATS afterwards.
    this.drainTimeoutMs = Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.75);
  }

  get size(): number {
    return this.active;
  }

  /** Counts a request in; the returned function counts it out (calling it again does nothing). */
  begin(): () => void {
    this.active++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active--;
      if (this.active === 0) this.wakeIdleWaiters();
    };
  }

  /** Resolves when no request is in flight, or after `timeoutMs`; tells which. */
  async whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.active === 0) return true;
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
    if (this.active === 0) return;
    this.logger.log(`waiting for ${this.active} in-flight webhook requests to finish`);
    if (await this.whenIdle(this.drainTimeoutMs)) {
      this.logger.log('in-flight webhook requests finished');
    } else {
      this.logger.warn(`${this.active} webhook requests still in flight after ${this.drainTimeoutMs} ms; closing anyway`);
    }
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
