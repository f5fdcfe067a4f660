export interface RetryBackoff {
  baseMs: number;
  maxMs: number;
}

/**
 * Nak delay after a failed delivery: `baseMs` after the first, doubling with each further delivery, capped at
 * `maxMs` (1 s, 2 s, 4 s, … 60 s with the defaults).
 */
export function retryDelayMs(deliveryCount: number, backoff: RetryBackoff): number {
  const exponent = Math.max(0, Math.floor(deliveryCount) - 1);
  // 2^31 already exceeds any sensible cap; stopping there keeps the arithmetic exact.
  const delay = backoff.baseMs * 2 ** Math.min(exponent, 31);
  return Math.min(delay, backoff.maxMs);
}
