/** The real publisher (the andriiuni/events image): a body of 1,000–50,000 events every second, replies not awaited. */
export const REAL_PUBLISHER_FLAGS = {
  mode: 'default',
  'batch-min': 1_000,
  'batch-max': 50_000,
  'interval-ms': 1_000,
} as const;

/**
 * Replies are waited for, never abandoned at the end: an abandoned request would leave its events unacknowledged,
 * and the ledger check could no longer tell what must be stored.
 */
export const AWAIT_EVERY_REPLY_FLAGS = {
  'request-timeout-ms': 120_000,
  'shutdown-timeout-ms': 120_000,
} as const;
