import { Inject, Injectable } from '@nestjs/common';
import { EVENT_TYPES, FUNNEL_STAGES, SOURCES } from '@evp/contracts';
import {
  DAY_MS,
  type EventBreakdownRow,
  type EventFilters,
  HOUR_MS,
  MINUTE_MS,
  type ReportQuery,
  type Span,
  eventBreakdownRows,
  eventExtent,
  eventSeriesRows,
  splitRange,
} from '@evp/database';
import { InvalidReportQueryError } from '../query/report-query.error';
import { ReportReader } from '../query/report.reader';
import { toIso } from '../query/report-filters.schema';
import { assertEdgesRetained } from '../query/retention-horizon';
import { type ReporterConfig } from '../reporter.config';
import { REPORTER_CONFIG } from '../reporter.constants';
import { type EventsQuery, type EventsReport as EventsReportBody, type SeriesInterval } from './events-report.schema';

const INTERVAL_MS: Record<SeriesInterval, number> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

/** The buckets a series covers, both inclusive, as epoch milliseconds of their starts. */
interface SeriesBounds {
  first: number;
  last: number;
}

type Breakdown = EventsReportBody['breakdown'];

/**
 * `GET /reports/events`: counts by source, funnel stage and event type, and optionally a time series, summed
 * from the count rollups (whole hours and minutes) and the raw events at the sub-minute edges of the range.
 */
@Injectable()
export class EventsReport {
  constructor(
    private readonly reader: ReportReader,
    @Inject(REPORTER_CONFIG) private readonly config: ReporterConfig,
  ) {}

  generate(query: EventsQuery): Promise<EventsReportBody> {
    const range: Span = { from: query.from, to: query.to };
    const filters: EventFilters = { source: query.source, funnelStage: query.funnelStage, eventType: query.eventType };
    // The rollup tiers keep every read small (a year of hours is ~120k rows): parallel workers would cost more than they save.
    return this.reader.snapshot(
      async (run) => {
        await assertEdgesRetained(run, range, splitRange(range));
        const breakdownRows = await eventBreakdownRows(run, range, filters);
        const breakdown = fillBreakdown(query, breakdownRows);
        const body: EventsReportBody = {
          filters: {
            from: toIso(query.from),
            to: toIso(query.to),
            source: query.source,
            funnelStage: query.funnelStage,
            eventType: query.eventType,
            interval: query.interval,
          },
          total: breakdown.reduce((sum, entry) => sum + entry.count, 0),
          breakdown,
        };
        if (query.interval !== undefined) body.series = await this.series(run, query.interval, range, filters);
        return body;
      },
      { parallelWorkers: false },
    );
  }

  private async series(
    run: ReportQuery,
    interval: SeriesInterval,
    range: Span,
    filters: EventFilters,
  ): Promise<EventsReportBody['series']> {
    const bounds = await this.seriesBounds(run, interval, range);
    if (bounds === undefined) return [];
    const rows = await eventSeriesRows(run, interval, range, filters);
    const counts = new Map(rows.map((row) => [Number(row.bucket_ms), Number(row.count)]));
    const step = INTERVAL_MS[interval];
    const series: NonNullable<EventsReportBody['series']> = [];
    for (let bucket = bounds.first; bucket <= bounds.last; bucket += step) {
      series.push({ bucket: new Date(bucket).toISOString(), count: counts.get(bucket) ?? 0 });
    }
    return series;
  }

  /**
   * From the bucket holding `from` to the one holding the range's last instant; an open side ends at the first
   * or last stored event. Refuses (400 naming `interval`) a series longer than `REPORT_MAX_SERIES_POINTS`.
   */
  private async seriesBounds(
    run: ReportQuery,
    interval: SeriesInterval,
    range: Span,
  ): Promise<SeriesBounds | undefined> {
    const step = INTERVAL_MS[interval];
    let { from, to } = range;
    if (from === undefined || to === undefined) {
      const extent = await eventExtent(run);
      if (extent?.first_ms == null || extent.last_ms == null) return undefined;
      from ??= Number(extent.first_ms);
      to ??= Number(extent.last_ms) + MINUTE_MS;
    }
    if (from >= to) return undefined;
    const first = Math.floor(from / step) * step;
    const last = Math.floor((to - 1) / step) * step;
    const points = (last - first) / step + 1;
    if (points > this.config.REPORT_MAX_SERIES_POINTS) {
      throw new InvalidReportQueryError([
        {
          parameter: 'interval',
          message: `the range holds ${points} ${interval} buckets, more than the limit of ${this.config.REPORT_MAX_SERIES_POINTS}: narrow from/to or choose a coarser interval`,
        },
      ]);
    }
    return { first, last };
  }
}

/** Every (source, stage, type) the filters allow, in taxonomy order, with zero where nothing was stored. */
function fillBreakdown(query: EventsQuery, rows: EventBreakdownRow[]): Breakdown {
  const counted = new Map(
    rows.map((row) => [`${row.source}|${row.funnel_stage}|${row.event_type}`, Number(row.count)]),
  );
  const breakdown: Breakdown = [];
  for (const source of SOURCES) {
    if (query.source !== undefined && query.source !== source) continue;
    for (const funnelStage of FUNNEL_STAGES) {
      if (query.funnelStage !== undefined && query.funnelStage !== funnelStage) continue;
      for (const eventType of EVENT_TYPES[source][funnelStage]) {
        if (query.eventType !== undefined && query.eventType !== eventType) continue;
        breakdown.push({
          source,
          funnelStage,
          eventType,
          count: counted.get(`${source}|${funnelStage}|${eventType}`) ?? 0,
        });
      }
    }
  }
  return breakdown;
}
