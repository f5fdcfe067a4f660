import 'reflect-metadata';
import { runService } from '@evp/observability';
import { startGateway } from './gateway.bootstrap';
import { loadGatewayConfig } from './gateway.config';

runService('gateway', () => startGateway(loadGatewayConfig()));
