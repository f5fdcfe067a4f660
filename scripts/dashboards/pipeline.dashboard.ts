import {
  AxisPlacement,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  type DynamicConfigValue,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { withInfrastructurePanels } from './infrastructure.panels';
import { PanelIds, row, statPanel, timeseriesPanel, withLimit } from './prometheus.panels';

/**
 * Share of a stream's byte limit at which EvpStreamFillingUp and EvpStreamAlmostFull fire
 * (deploy/prometheus/rules/pipeline.alerts.yml); dashboards.spec.ts checks that the two agree.
 */
export const STREAM_ALERT_LEVELS = { warning: 0.7, critical: 0.9 } as const;
/**
 * Freshness goal: p95 of a live event's seconds from the gateway to its committed row. EvpFreshnessBehindGoal
 * (deploy/prometheus/rules/freshness.alerts.yml) fires above it; dashboards.spec.ts checks that the two agree.
 */
export const FRESHNESS_GOAL_SECONDS = 2;
/**
 * Levels of the pipeline's other alert rules (deploy/prometheus/rules/pipeline.alerts.yml) drawn as thresholds:
 * EvpConsumerLagGrowing's pending events, EvpDeadLettersGrowing's 1 message/s (the panel counts per minute),
 * EvpSlowReports' p95 seconds. dashboards.spec.ts checks that the two agree.
 */
export const PIPELINE_ALERT_LEVELS = {
  consumerLagEvents: 10_000,
  deadLettersPerMinute: 60,
  reportP95Seconds: 0.5,
} as const;
/** Replicas and services that provision the same stream all report it; `> 0` leaves out streams with no limit. */
const STREAM_MAX_BYTES = 'max by (stream) (messaging_stream_max_bytes > 0)';
/** A series listed in the legend and tooltip with its own unit, without drawing a line or an axis. */
const listedOnly = (unit: string): DynamicConfigValue[] => [
  { id: 'unit', value: unit },
  { id: 'custom.hideFrom', value: { viz: true, legend: false, tooltip: false } },
  { id: 'custom.axisPlacement', value: AxisPlacement.Hidden },
];

/** Rates are shown per minute: the publisher's pace (one batch a second) makes per-second figures hard to read. */
const perMinute = (expr: string): string => `${expr} * 60`;
const rateOf = (metric: string, by: string, selector = ''): string =>
  `sum by (${by}) (rate(${metric}${selector}[$__rate_interval]))`;
/**
 * Counters with labels appear only once incremented, so a healthy service has no failed series at all. A zero
 * per source, taken from the accepted counter, keeps such panels drawing "0" instead of "No data".
 */
const orZeroPerSource = (expr: string): string =>
  `${expr} or sum by (source) (rate(collector_events_accepted_total[$__rate_interval])) * 0`;
const quantile = (q: number, metric: string, by: string): string =>
  `histogram_quantile(${q}, sum by (${by}) (rate(${metric}_bucket[$__rate_interval])))`;
const totalOverRange = (metric: string): string => `sum(increase(${metric}[$__range]))`;

/**
 * Service and pipeline health from Prometheus: gateway intake, collectors, consumer lag, dead letters, stream
 * storage, reports.
 */
export function buildPipelineDashboard(): Dashboard {
  const ids = new PanelIds();
  const dashboard = new DashboardBuilder('Event pipeline')
    .uid('evp-pipeline')
    .description('Gateway intake, collectors, JetStream consumer lag, dead letters and stream storage, report latency.')
    .tags(['evp', 'pipeline'])
    .timezone('browser')
    .time({ from: 'now-30m', to: 'now' })
    .refresh('10s')
    .tooltip(DashboardCursorSync.Crosshair)

    .withRow(row(ids, 'Gateway'))
    .withPanel(
      statPanel(ids, {
        title: 'Gateway: accepted events',
        description: 'Valid events the gateway accepted over the dashboard range (gateway_events_accepted_total).',
        targets: [{ expr: totalOverRange('gateway_events_accepted_total') }],
        width: 6,
      }),
    )
    .withPanel(
      statPanel(ids, {
        title: 'Gateway: processed events',
        description:
          'Events the gateway published to JetStream and had acknowledged, over the dashboard range (gateway_events_processed_total).',
        targets: [{ expr: totalOverRange('gateway_events_processed_total') }],
        width: 6,
      }),
    )
    .withPanel(
      statPanel(ids, {
        title: 'Gateway: failed events',
        description:
          'Events the gateway rejected (invalid, kept as dead letters) or could not publish, over the dashboard range (gateway_events_failed_total).',
        targets: [{ expr: `${totalOverRange('gateway_events_failed_total')} or vector(0)` }],
        width: 6,
      }),
    )
    .withPanel(
      statPanel(ids, {
        title: 'Gateway: request duration p95',
        description: '95th percentile of webhook request durations over the dashboard range.',
        targets: [
          {
            expr: 'histogram_quantile(0.95, sum by (le) (rate(gateway_request_duration_seconds_bucket[$__range])))',
          },
        ],
        unit: 's',
        decimals: 3,
        width: 6,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Gateway: events per minute',
        description: 'Accepted and processed events by source, failed events by reason.',
        targets: [
          { expr: perMinute(rateOf('gateway_events_accepted_total', 'source')), legend: 'accepted {{source}}' },
          { expr: perMinute(rateOf('gateway_events_processed_total', 'source')), legend: 'processed {{source}}' },
          { expr: perMinute(rateOf('gateway_events_failed_total', 'reason')), legend: 'failed ({{reason}})' },
        ],
        axisLabel: 'events/min',
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Gateway: request duration',
        description: 'Webhook request durations (p50, p95, p99), from receiving the body to the reply.',
        targets: [
          { expr: quantile(0.5, 'gateway_request_duration_seconds', 'le'), legend: 'p50' },
          { expr: quantile(0.95, 'gateway_request_duration_seconds', 'le'), legend: 'p95' },
          { expr: quantile(0.99, 'gateway_request_duration_seconds', 'le'), legend: 'p99' },
        ],
        unit: 's',
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Gateway: request body size',
        description: 'Size of webhook request bodies (p50, p95); the upstream publisher sends up to about 21 MB.',
        targets: [
          { expr: quantile(0.5, 'gateway_request_body_bytes', 'le'), legend: 'p50' },
          { expr: quantile(0.95, 'gateway_request_body_bytes', 'le'), legend: 'p95' },
        ],
        unit: 'bytes',
        width: 8,
      }),
    )

    .withRow(row(ids, 'Collectors'))
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Collectors: accepted events per minute',
        description: 'Events the collectors pulled from JetStream, by source, stacked.',
        targets: [{ expr: perMinute(rateOf('collector_events_accepted_total', 'source')), legend: '{{source}}' }],
        stacked: true,
        axisLabel: 'events/min',
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Collectors: processed events per minute',
        description: 'Events stored in PostgreSQL and acknowledged, by source, stacked.',
        targets: [{ expr: perMinute(rateOf('collector_events_processed_total', 'source')), legend: '{{source}}' }],
        stacked: true,
        axisLabel: 'events/min',
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Collectors: failed events per minute',
        description:
          'Events the collectors could not store (retried later) or dead-lettered, by source, stacked. A flat zero is the healthy state.',
        targets: [
          {
            expr: orZeroPerSource(perMinute(rateOf('collector_events_failed_total', 'source'))),
            legend: '{{source}}',
          },
        ],
        stacked: true,
        axisLabel: 'events/min',
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Collectors: duplicate events per minute',
        description:
          'Events already stored (redelivery or a duplicate from the publisher), skipped by the idempotent write, by source.',
        targets: [
          {
            expr: orZeroPerSource(perMinute(rateOf('collector_events_duplicate_total', 'source'))),
            legend: '{{source}}',
          },
        ],
        stacked: true,
        axisLabel: 'events/min',
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Collectors: batch size',
        description: 'Events per database write (p50, p95), by collector.',
        targets: [
          { expr: quantile(0.5, 'collector_batch_size', 'le, job'), legend: '{{job}} p50' },
          { expr: quantile(0.95, 'collector_batch_size', 'le, job'), legend: '{{job}} p95' },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Collectors: batch write duration',
        description: 'Duration of one batch write transaction (p50, p95), by collector.',
        targets: [
          { expr: quantile(0.5, 'collector_write_duration_seconds', 'le, job'), legend: '{{job}} p50' },
          { expr: quantile(0.95, 'collector_write_duration_seconds', 'le, job'), legend: '{{job}} p95' },
        ],
        unit: 's',
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Freshness: received to stored',
        description: `Seconds from the gateway receiving an event to its row being committed (pipeline_ingest_to_stored_seconds, p50 and p95 by source and lane), with the goal: live p95 under ${FRESHNESS_GOAL_SECONDS} s (EvpFreshnessBehindGoal fires above it for 5 minutes). The backfill lane (events dated more than BACKFILL_AFTER before they were received) is drained at a bounded rate and is slower on purpose.`,
        targets: [
          {
            expr: quantile(0.95, 'pipeline_ingest_to_stored_seconds', 'le, source, lane'),
            legend: '{{source}} {{lane}} p95',
          },
          {
            expr: quantile(0.5, 'pipeline_ingest_to_stored_seconds', 'le, source, lane'),
            legend: '{{source}} {{lane}} p50',
          },
        ],
        unit: 's',
        width: 24,
      })
        .thresholds(
          new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
            { value: null, color: 'green' },
            { value: FRESHNESS_GOAL_SECONDS, color: 'red' },
          ]),
        )
        .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed)),
    )

    .withRow(row(ids, 'JetStream: consumer lag, dead letters and stream storage'))
    .withPanel(
      withLimit(
        timeseriesPanel(ids, {
          title: 'Consumer lag (pending events)',
          description:
            'Events in the stream the durable consumer of each source has not finished: its pending and unacked messages times the events per message its collector has received (a message carries up to 200). Replicas of a collector share the consumer, so the highest report counts.',
          targets: [{ expr: 'max by (source) (collector_consumer_pending_events)', legend: '{{source}}' }],
          axisLabel: 'events',
          width: 12,
        }),
        PIPELINE_ALERT_LEVELS.consumerLagEvents,
      ),
    )
    .withPanel(
      withLimit(
        timeseriesPanel(ids, {
          title: 'Dead letters per minute',
          description:
            'Messages moved to the EVENTS_DLQ stream by origin, of which: invalid events refused by the gateway, and poison messages terminated by a collector (zero when healthy).',
          targets: [
            {
              expr: perMinute(rateOf('messaging_dead_lettered_total', 'origin')),
              legend: 'dead-lettered from {{origin}}',
            },
            {
              expr: perMinute(rateOf('gateway_events_failed_total', 'source', '{reason=~"invalid|future_timestamp"}')),
              legend: 'invalid or future-dated at the gateway ({{source}})',
            },
            {
              expr: orZeroPerSource(
                perMinute(rateOf('collector_events_failed_total', 'source', '{reason=~"invalid|dead_letter"}')),
              ),
              legend: 'poison at the {{source}} collector',
            },
          ],
          axisLabel: 'messages/min',
          width: 12,
        }),
        PIPELINE_ALERT_LEVELS.deadLettersPerMinute,
      ),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'JetStream stream storage',
        description: `Share of each stream's byte limit in use, with the alert levels: EvpStreamFillingUp at ${STREAM_ALERT_LEVELS.warning * 100} %, EvpStreamAlmostFull at ${STREAM_ALERT_LEVELS.critical * 100} %. A full stream refuses new messages, and the gateway answers 503. Messages held are on the right axis; bytes used and the limit are in the legend and tooltip. The events stream holds only events no collector has taken yet.`,
        targets: [
          {
            expr: `max by (stream) (messaging_stream_bytes) / ${STREAM_MAX_BYTES}`,
            legend: '{{stream}} used of limit',
          },
          { expr: 'max by (stream) (messaging_stream_messages)', legend: '{{stream}} messages' },
          { expr: 'max by (stream) (messaging_stream_bytes)', legend: '{{stream}} bytes used' },
          { expr: STREAM_MAX_BYTES, legend: '{{stream}} byte limit' },
        ],
        unit: 'percentunit',
        width: 24,
      })
        .thresholds(
          new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
            { value: null, color: 'green' },
            { value: STREAM_ALERT_LEVELS.warning, color: 'orange' },
            { value: STREAM_ALERT_LEVELS.critical, color: 'red' },
          ]),
        )
        .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed))
        .overrideByQuery('B', [
          { id: 'unit', value: 'short' },
          { id: 'custom.axisPlacement', value: AxisPlacement.Right },
          { id: 'custom.axisLabel', value: 'messages' },
          { id: 'custom.thresholdsStyle', value: { mode: GraphThresholdsStyleMode.Off } },
        ])
        .overrideByQuery('C', listedOnly('bytes'))
        .overrideByQuery('D', listedOnly('bytes')),
    )

    .withRow(row(ids, 'Reporter'))
    .withPanel(
      withLimit(
        timeseriesPanel(ids, {
          title: 'Reporter: report latency by report',
          description: 'Report durations (p50, p95) by report category: events, revenue, demographics.',
          targets: [
            { expr: quantile(0.5, 'reporter_report_duration_seconds', 'le, report'), legend: '{{report}} p50' },
            { expr: quantile(0.95, 'reporter_report_duration_seconds', 'le, report'), legend: '{{report}} p95' },
          ],
          unit: 's',
          width: 12,
        }),
        PIPELINE_ALERT_LEVELS.reportP95Seconds,
      ),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Reporter: reports per minute',
        description: 'Reports generated, by report category and outcome, stacked.',
        targets: [
          {
            expr: perMinute(rateOf('reporter_reports_generated_total', 'report, status')),
            legend: '{{report}} {{status}}',
          },
        ],
        stacked: true,
        axisLabel: 'reports/min',
        width: 12,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Reporter: demographics indexer',
        description:
          'Newly stored events folded into the demographics read model per minute, and written batches still queued for it (every reporter samples the same queue, hence max). Reports stay exact whatever the queue; a growing queue makes demographics slower.',
        targets: [
          {
            expr: perMinute('sum(rate(reporter_demographics_indexed_events_total[$__rate_interval]))'),
            legend: 'events folded in',
          },
          { expr: 'max(reporter_demographics_queue_batches)', legend: 'batches queued' },
        ],
        axisLabel: 'events/min, batches',
        width: 24,
      }),
    )

    .withRow(row(ids, 'Processes'))
    .withPanel(
      statPanel(ids, {
        title: 'Scrape targets up',
        description: 'Instances of each service Prometheus scrapes successfully.',
        targets: [{ expr: 'sum by (job) (up{job=~"gateway|fb-collector|ttk-collector|reporter"})', legend: '{{job}}' }],
        width: 6,
        height: 8,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'CPU by service',
        description: 'CPU time per second of wall time, summed over each service\u2019s instances (1 = one core).',
        targets: [
          { expr: 'sum by (service) (rate(process_cpu_seconds_total[$__rate_interval]))', legend: '{{service}}' },
        ],
        unit: 'percentunit',
        width: 6,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Resident memory by service',
        description: 'Resident set size, summed over each service\u2019s instances.',
        targets: [{ expr: 'sum by (service) (process_resident_memory_bytes)', legend: '{{service}}' }],
        unit: 'bytes',
        width: 6,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'Event loop lag p99 by service',
        description: 'Worst instance of each service: a long event loop lag delays every request and message.',
        targets: [{ expr: 'max by (service) (nodejs_eventloop_lag_p99_seconds)', legend: '{{service}}' }],
        unit: 's',
        width: 6,
      }),
    );
  return withInfrastructurePanels(dashboard, ids).build();
}
