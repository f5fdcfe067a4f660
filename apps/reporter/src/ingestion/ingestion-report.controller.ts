import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ReportMetrics } from '../metrics/report.metrics';
import { parseReportQuery } from '../query/query-parameters';
import { ingestionQuerySchema, type IngestionReport as IngestionReportBody } from './ingestion-report.schema';
import { IngestionReport } from './ingestion.report';

@Controller('reports')
@UseGuards(ApiKeyGuard)
export class IngestionReportController {
  constructor(
    private readonly report: IngestionReport,
    private readonly metrics: ReportMetrics,
  ) {}

  @Get('ingestion')
  ingestion(@Query() query: Record<string, unknown>): Promise<IngestionReportBody> {
    return this.metrics.measure('ingestion', () => this.report.generate(parseReportQuery(ingestionQuerySchema, query)));
  }
}
