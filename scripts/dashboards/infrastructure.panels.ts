import { AxisPlacement, GraphThresholdsStyleMode } from '@grafana/grafana-foundation-sdk/common';
import { type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { type PanelIds, row, timeseriesPanel, withLimit } from './prometheus.panels';

/**
 * Levels of the infrastructure alert rules (deploy/prometheus/rules/infrastructure.alerts.yml), drawn as the
 * thresholds of the panels that show the same expressions; dashboards.spec.ts checks that the two agree.
 */
export const INFRASTRUCTURE_ALERT_LEVELS = {
  /** EvpJetStreamStorageNearLimit: share of the server's JetStream max_storage in use. */
  jetstreamStorage: 0.8,
  /** EvpNatsConnectionsNearLimit: share of the server's max_connections in use. */
  natsConnections: 0.8,
  /** EvpConsumerRedeliveriesRising: messages delivered more than once and not yet acknowledged. */
  redelivered: 10,
  /** EvpPostgresConnectionsNearLimit: share of max_connections in use. */
  postgresConnections: 0.8,
} as const;
/**
 * autovacuum vacuums a table once its dead rows pass 20 % of it (autovacuum_vacuum_scale_factor's default): a
 * table that stays above is one autovacuum does not keep up with. A threshold only, no alert.
 */
export const DEAD_ROWS_SHARE_LIMIT = 0.2;

/** The expressions the panels and the alert rules share. */
export const INFRASTRUCTURE_EXPRESSIONS = {
  jetstreamStorage:
    'max by (server_name) (jetstream_server_total_message_bytes) / max by (server_name) (jetstream_server_max_storage > 0)',
  natsConnections:
    'max by (server_id) (gnatsd_varz_connections) / max by (server_id) (gnatsd_varz_max_connections > 0)',
  redelivered: 'max by (stream_name, consumer_name) (jetstream_consumer_num_redelivered)',
  postgresConnections:
    'sum by (instance) (pg_stat_activity_count) / max by (instance) (pg_settings_max_connections > 0)',
} as const;

const CONSUMER = 'max by (stream_name, consumer_name)';

/** A query drawn on its own right axis with its own unit, without the panel's thresholds. */
const rightAxis = (unit: string, label: string) => [
  { id: 'unit', value: unit },
  { id: 'custom.axisPlacement', value: AxisPlacement.Right },
  { id: 'custom.axisLabel', value: label },
  { id: 'custom.thresholdsStyle', value: { mode: GraphThresholdsStyleMode.Off } },
];

/**
 * NATS and PostgreSQL themselves, from prometheus-nats-exporter (job `nats`) and postgres_exporter (job
 * `postgres`): JetStream's streams, consumers and store, client connections; PostgreSQL's connections, tables and
 * dead rows.
 */
export function withInfrastructurePanels(dashboard: DashboardBuilder, ids: PanelIds): DashboardBuilder {
  const levels = INFRASTRUCTURE_ALERT_LEVELS;
  return dashboard
    .withRow(row(ids, 'NATS server and JetStream (prometheus-nats-exporter)'))
    .withPanel(
      timeseriesPanel(ids, {
        title: 'JetStream: stream bytes and messages',
        description:
          "Bytes and messages each stream holds, as the NATS server reports them (every server of a cluster holds a replica, hence max). The share of each stream's byte limit is the JetStream stream storage panel above.",
        targets: [
          { expr: 'max by (stream_name) (jetstream_stream_total_bytes)', legend: '{{stream_name}} bytes' },
          { expr: 'max by (stream_name) (jetstream_stream_total_messages)', legend: '{{stream_name}} messages' },
        ],
        unit: 'bytes',
        width: 12,
      }).overrideByQuery('B', rightAxis('short', 'messages')),
    )
    .withPanel(
      withLimit(
        timeseriesPanel(ids, {
          title: 'JetStream: consumer pending and redeliveries',
          description: `Per durable consumer: messages not yet delivered (pending), delivered and not yet acknowledged, and delivered more than once and still unacknowledged (redelivered: a collector crashed, timed out or asked for a retry). EvpConsumerRedeliveriesRising fires when more than ${levels.redelivered} redelivered messages keep growing for 10 minutes, drawn as the threshold.`,
          targets: [
            { expr: INFRASTRUCTURE_EXPRESSIONS.redelivered, legend: '{{consumer_name}} redelivered' },
            { expr: `${CONSUMER} (jetstream_consumer_num_pending)`, legend: '{{consumer_name}} pending' },
            { expr: `${CONSUMER} (jetstream_consumer_num_ack_pending)`, legend: '{{consumer_name}} awaiting ack' },
          ],
          axisLabel: 'messages',
          width: 12,
        }),
        levels.redelivered,
      ),
    )
    .withPanel(
      withLimit(
        timeseriesPanel(ids, {
          title: 'JetStream: store used of the server limit',
          description: `Bytes of every stream against the JetStream storage the server may use (max_storage: at most 75 % of the volume's free space at start-up). EvpJetStreamStorageNearLimit fires above ${levels.jetstreamStorage * 100} % for 5 minutes.`,
          targets: [{ expr: INFRASTRUCTURE_EXPRESSIONS.jetstreamStorage, legend: '{{server_name}}' }],
          unit: 'percentunit',
          width: 12,
        }),
        levels.jetstreamStorage,
      ),
    )
    .withPanel(
      withLimit(
        timeseriesPanel(ids, {
          title: 'NATS: client connections of the limit',
          description: `Client connections against the server's max_connections, with slow consumers (clients the server dropped messages for) on the right axis. EvpNatsConnectionsNearLimit fires above ${levels.natsConnections * 100} % for 5 minutes.`,
          targets: [
            { expr: INFRASTRUCTURE_EXPRESSIONS.natsConnections, legend: '{{server_id}} connections' },
            { expr: 'max by (server_id) (gnatsd_varz_slow_consumers)', legend: '{{server_id}} slow consumers' },
          ],
          unit: 'percentunit',
          width: 12,
        }).overrideByQuery('B', rightAxis('short', 'slow consumers')),
        levels.natsConnections,
      ),
    )

    .withRow(row(ids, 'PostgreSQL (postgres_exporter)'))
    .withPanel(
      withLimit(
        timeseriesPanel(ids, {
          title: 'PostgreSQL: connections of max_connections',
          description: `Server connections in every state against max_connections; connections by state on the right axis. Each collector replica holds its own pool: EvpPostgresConnectionsNearLimit fires above ${levels.postgresConnections * 100} % for 5 minutes, before new connections are refused.`,
          targets: [
            { expr: INFRASTRUCTURE_EXPRESSIONS.postgresConnections, legend: 'used of the limit' },
            { expr: 'sum by (state) (pg_stat_activity_count)', legend: '{{state}}' },
          ],
          unit: 'percentunit',
          width: 12,
        }).overrideByQuery('B', rightAxis('short', 'connections')),
        levels.postgresConnections,
      ),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'PostgreSQL: database size',
        description:
          'Disk space of each database of the server. Events live in daily partitions that retention drops, so a healthy size levels off.',
        targets: [
          {
            expr: 'max by (datname) (pg_database_size_bytes{datname!~"template0|template1|postgres"})',
            legend: '{{datname}}',
          },
        ],
        unit: 'bytes',
        width: 12,
      }),
    )
    .withPanel(
      timeseriesPanel(ids, {
        title: 'PostgreSQL: largest tables',
        description:
          'The ten largest tables (each daily partition of events is a table of its own), without their indexes.',
        targets: [{ expr: 'topk(10, max by (relname) (pg_stat_user_tables_table_size_bytes))', legend: '{{relname}}' }],
        unit: 'bytes',
        width: 12,
      }),
    )
    .withPanel(
      withLimit(
        timeseriesPanel(ids, {
          title: 'PostgreSQL: dead rows',
          description: `Share of dead rows (left by updates and deletes, until vacuum reclaims them) in the ten tables with the most; their count on the right axis. The rollups are updated in place on every batch, so they collect dead rows; autovacuum starts at ${DEAD_ROWS_SHARE_LIMIT * 100} %, drawn as the threshold: a table staying above it is one autovacuum does not keep up with.`,
          targets: [
            {
              expr: 'topk(10, max by (relname) (pg_stat_user_tables_n_dead_tup) / max by (relname) (pg_stat_user_tables_n_live_tup + pg_stat_user_tables_n_dead_tup > 0))',
              legend: '{{relname}} share',
            },
            { expr: 'topk(10, max by (relname) (pg_stat_user_tables_n_dead_tup))', legend: '{{relname}} dead rows' },
          ],
          unit: 'percentunit',
          width: 12,
        }).overrideByQuery('B', rightAxis('short', 'dead rows')),
        DEAD_ROWS_SHARE_LIMIT,
      ),
    );
}
