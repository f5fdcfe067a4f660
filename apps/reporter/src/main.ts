import 'reflect-metadata';
import { runService } from '@evp/observability';
import { loadReporterConfig } from './reporter.config';
import { startReporter } from './reporter.bootstrap';

runService('reporter', () => startReporter(loadReporterConfig()));
