import { Module, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DatabaseModule } from '@evp/database';
import { ObservabilityModule } from '@evp/observability';
import { DemographicsReportController } from './demographics/demographics-report.controller';
import { DemographicsIndexing } from './demographics/demographics-indexing.service';
import { DemographicsReport } from './demographics/demographics.report';
import { EventsReportController } from './events/events-report.controller';
import { EventsReport } from './events/events.report';
import { ErrorHeadersFilter } from './http/error-headers.filter';
import { IngestionReportController } from './ingestion/ingestion-report.controller';
import { IngestionReport } from './ingestion/ingestion.report';
import { ReplicaLagMetrics } from './metrics/replica-lag.metrics';
import { ReportMetrics } from './metrics/report.metrics';
import { ReportReader } from './query/report.reader';
import { type ReporterConfig } from './reporter.config';
import { REPORTER_CONFIG } from './reporter.constants';
import { RevenueReportController } from './revenue/revenue-report.controller';
import { RevenueReport } from './revenue/revenue.report';

/**
 * The reporter's root module for a validated configuration: four report endpoints over PostgreSQL (behind the
 * API keys when REPORTER_API_KEYS is set) and the demographics indexer, with logging, metrics and health. A class
 * per configuration because the root module's imports depend on it (log level, database URL) and
 * `bootstrapService` takes a module class.
 */
export function createReporterModule(config: ReporterConfig): Type {
  @Module({
    imports: [
      ObservabilityModule.forRoot({ service: 'reporter', logLevel: config.LOG_LEVEL, logFormat: config.LOG_FORMAT }),
      // Reports read through REPORTER_DATABASE_URL (a replica may serve them); what writes goes to DATABASE_URL, the
      // primary: the start-up migrations and, unless it has its own URL, the demographics indexer.
      DatabaseModule.forRoot({
        url: config.REPORTER_DATABASE_URL ?? config.DATABASE_URL,
        ownerUrl: config.DATABASE_URL,
        indexerUrl: config.DEMOGRAPHICS_INDEXER_DATABASE_URL ?? config.DATABASE_URL,
        migrateOnStart: config.MIGRATE_ON_START,
        poolSize: config.REPORT_POOL_SIZE,
      }),
    ],
    controllers: [
      EventsReportController,
      RevenueReportController,
      DemographicsReportController,
      IngestionReportController,
    ],
    providers: [
      { provide: REPORTER_CONFIG, useValue: config },
      { provide: APP_FILTER, useClass: ErrorHeadersFilter },
      ReportReader,
      ReportMetrics,
      ReplicaLagMetrics,
      EventsReport,
      RevenueReport,
      DemographicsReport,
      DemographicsIndexing,
      IngestionReport,
    ],
  })
  class ReporterModule {}
  return ReporterModule;
}
