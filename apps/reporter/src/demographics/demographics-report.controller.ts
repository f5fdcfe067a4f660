import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ReportMetrics } from '../metrics/report.metrics';
import { parseReportQuery } from '../query/query-parameters';
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
  demographics(@Query() query: Record<string, unknown>): Promise<DemographicsReportBody> {
    return this.metrics.measure('demographics', () =>
      this.report.generate(parseReportQuery(demographicsQuerySchema, query)),
    );
  }
}
