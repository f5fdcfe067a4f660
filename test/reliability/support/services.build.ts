import { buildServicesOnce } from '@evp/testing';

/**
 * Builds the services before a scenario starts them; `RELIABILITY_SKIP_BUILD=true` runs the existing `dist`
 * instead (re-runs, or a tree whose unfinished edits elsewhere do not compile).
 */
export function ensureServicesBuilt(): void {
  if (process.env.RELIABILITY_SKIP_BUILD === 'true') return;
  buildServicesOnce();
}
