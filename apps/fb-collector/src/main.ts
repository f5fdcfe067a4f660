import 'reflect-metadata';
import { createCollectorAppModule } from '@evp/collector';
import { bootstrapService, runService } from '@evp/observability';
import { normaliseFacebookEvent } from './facebook-event.normaliser';
import { FB_COLLECTOR, loadFbCollectorConfig } from './fb-collector.config';

runService(FB_COLLECTOR, () => {
  const config = loadFbCollectorConfig();
  return bootstrapService({
    module: createCollectorAppModule(FB_COLLECTOR, config, { source: 'facebook', normaliser: normaliseFacebookEvent }),
    port: config.PORT,
    host: config.HOST,
    metricsPort: config.METRICS_PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
});
