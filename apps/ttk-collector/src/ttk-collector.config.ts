import { type CollectorConfig, loadCollectorConfig } from '@evp/collector';

export const TTK_COLLECTOR = 'ttk-collector';

/** ttk-collector's environment (see .env.example): port 3002, durable consumer `ttk-collector` on `events.tiktok`. */
export function loadTtkCollectorConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  return loadCollectorConfig(TTK_COLLECTOR, { port: 3002, source: 'tiktok' }, env);
}
