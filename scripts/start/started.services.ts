import { loadFbCollectorConfig } from '../../apps/fb-collector/src/fb-collector.config';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { loadReporterConfig } from '../../apps/reporter/src/reporter.config';
import { loadTtkCollectorConfig } from '../../apps/ttk-collector/src/ttk-collector.config';
import { type StartedService } from './preflight';

/** The four services `npm start` runs, each checked with its own configuration schema. */
export function startedServices(
  env: NodeJS.ProcessEnv,
): readonly [
  gateway: StartedService,
  fbCollector: StartedService,
  ttkCollector: StartedService,
  reporter: StartedService,
] {
  return [
    { name: 'gateway', portVariable: 'GATEWAY_PORT', port: env.GATEWAY_PORT ?? '3000', load: loadGatewayConfig },
    {
      name: 'fb-collector',
      portVariable: 'FB_COLLECTOR_PORT',
      port: env.FB_COLLECTOR_PORT ?? '3001',
      load: loadFbCollectorConfig,
    },
    {
      name: 'ttk-collector',
      portVariable: 'TTK_COLLECTOR_PORT',
      port: env.TTK_COLLECTOR_PORT ?? '3002',
      load: loadTtkCollectorConfig,
    },
    { name: 'reporter', portVariable: 'REPORTER_PORT', port: env.REPORTER_PORT ?? '3003', load: loadReporterConfig },
  ];
}
