import { type CollectorConfig, loadCollectorConfig } from '@evp/collector';

export const FB_COLLECTOR = 'fb-collector';

/** fb-collector's environment (see .env.example): port 3001, durable consumer `fb-collector` on `events.facebook`. */
export function loadFbCollectorConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  return loadCollectorConfig(FB_COLLECTOR, { port: 3001, source: 'facebook' }, env);
}
