import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { type ReportReply } from '../csv/report-format';
import { serveReport } from '../http/report.endpoint';
import { ReportMetrics } from '../metrics/report.metrics';
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
  events(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: ReportReply,
  ): Promise<EventsReportBody | string> {
    return serveReport(
      this.metrics,
      { report: 'events', schema: eventsQuerySchema, generate: (parsed) => this.report.generate(parsed) },
      query,
      reply,
    );
  }
}
