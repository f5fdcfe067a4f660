import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ReportMetrics } from '../metrics/report.metrics';
import { parseReportQuery } from '../query/query-parameters';
import { eventsQuerySchema, type EventsReport as EventsReportBody } from './events-report.schema';
import { EventsReport } from './events.report';

@Controller('reports')
@UseGuards(ApiKeyGuard)
export class EventsReportController {
  constructor(
    private readonly report: EventsReport,
    private readonly metrics: ReportMetrics,
  ) {}

  @Get('events')
  events(@Query() query: Record<string, unknown>): Promise<EventsReportBody> {
    return this.metrics.measure('events', () => this.report.generate(parseReportQuery(eventsQuerySchema, query)));
  }
}
