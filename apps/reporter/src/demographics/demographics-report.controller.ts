import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { type ReportReply } from '../csv/report-format';
import { serveReport } from '../http/report.endpoint';
import { ReportMetrics } from '../metrics/report.metrics';
import {
  type DemographicsReport as DemographicsReportBody,
  demographicsQuerySchema,
} from './demographics-report.schema';
import { DemographicsReport } from './demographics.report';

@Controller('reports')
@UseGuards(ApiKeyGuard)
export class DemographicsReportController {
  constructor(
    private readonly report: DemographicsReport,
    private readonly metrics: ReportMetrics,
  ) {}

  @Get('demographics')
  demographics(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: ReportReply,
  ): Promise<DemographicsReportBody | string> {
    return serveReport(
      this.metrics,
      { report: 'demographics', schema: demographicsQuerySchema, generate: (parsed) => this.report.generate(parsed) },
      query,
      reply,
    );
  }
}
