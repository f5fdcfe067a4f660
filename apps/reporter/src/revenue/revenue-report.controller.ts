import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ReportMetrics } from '../metrics/report.metrics';
import { parseReportQuery } from '../query/query-parameters';
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
  revenue(@Query() query: Record<string, unknown>): Promise<RevenueReportBody> {
    return this.metrics.measure('revenue', () => this.report.generate(parseReportQuery(revenueQuerySchema, query)));
  }
}
