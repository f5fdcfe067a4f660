import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { type ReportReply } from '../csv/report-format';
import { serveReport } from '../http/report.endpoint';
import { ReportMetrics } from '../metrics/report.metrics';
import { revenueQuerySchema, type RevenueReport as RevenueReportBody } from './revenue-report.schema';
import { RevenueReport } from './revenue.report';

@Controller('reports')
@UseGuards(ApiKeyGuard)
export class RevenueReportController {
  constructor(
    private readonly report: RevenueReport,
    private readonly metrics: ReportMetrics,
  ) {}

  @Get('revenue')
  revenue(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: ReportReply,
  ): Promise<RevenueReportBody | string> {
    return serveReport(
      this.metrics,
      { report: 'revenue', schema: revenueQuerySchema, generate: (parsed) => this.report.generate(parsed) },
      query,
      reply,
    );
  }
}
