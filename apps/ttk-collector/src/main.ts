import 'reflect-metadata';
import { createCollectorAppModule } from '@evp/collector';
import { bootstrapService, runService } from '@evp/observability';
import { normaliseTiktokEvent } from './tiktok-event.normaliser';
import { TTK_COLLECTOR, loadTtkCollectorConfig } from './ttk-collector.config';

runService(TTK_COLLECTOR, () => {
  const config = loadTtkCollectorConfig();
  return bootstrapService({
    module: createCollectorAppModule(TTK_COLLECTOR, config, { source: 'tiktok', normaliser: normaliseTiktokEvent }),
    port: config.PORT,
    host: config.HOST,
    metricsPort: config.METRICS_PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
});
