import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { type ReportReply } from '../csv/report-format';
import { serveReport } from '../http/report.endpoint';
import { ReportMetrics } from '../metrics/report.metrics';
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
  ingestion(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: ReportReply,
  ): Promise<IngestionReportBody | string> {
    return serveReport(
      this.metrics,
      { report: 'ingestion', schema: ingestionQuerySchema, generate: (parsed) => this.report.generate(parsed) },
      query,
      reply,
    );
  }
}
