import { describe, expect, it } from 'vitest';
import { declaredMetricNames } from './metric-names';
import { type JszJson, type VarzJson, renderNatsMetrics } from './nats-monitor.exporter';

const varz: VarzJson = {
  server_id: 'NDXSERVER',
  server_name: 'nats-1',
  version: '2.10.24',
  connections: 7,
  max_connections: 65536,
  slow_consumers: 0,
  http_host: '127.0.0.1',
  jetstream: { config: { max_storage: 1 } },
};

const jsz: JszJson = {
  config: { max_memory: 1_000, max_storage: 2_000_000 },
  streams: 1,
  consumers: 1,
  messages: 5,
  bytes: 1_200,
  account_details: [
    {
      name: '$G',
      id: '$G',
      stream_detail: [
        {
          name: 'EVENTS',
          cluster: { leader: 'nats-1' },
          state: { messages: 5, bytes: 1_200, first_seq: 1, last_seq: 5, consumer_count: 1 },
          consumer_detail: [
            {
              name: 'fb-collector',
              cluster: { leader: 'nats-2' },
              delivered: { consumer_seq: 4, stream_seq: 4 },
              ack_floor: { consumer_seq: 2, stream_seq: 2 },
              num_ack_pending: 2,
              num_redelivered: 1,
              num_waiting: 1,
              num_pending: 1,
            },
          ],
        },
      ],
    },
  ],
};

describe('renderNatsMetrics', () => {
  const page = renderNatsMetrics(varz, jsz);
  const line = (name: string): string | undefined => page.split('\n').find((text) => text.startsWith(`${name}{`));

  describe('when /varz is rendered', () => {
    it('should expose every top-level number as gnatsd_varz_<field> labelled with the server id', () => {
      expect(line('gnatsd_varz_connections')).toBe('gnatsd_varz_connections{server_id="NDXSERVER"} 7');
      expect(line('gnatsd_varz_max_connections')).toBe('gnatsd_varz_max_connections{server_id="NDXSERVER"} 65536');
      expect(line('gnatsd_varz_version')).toBe('gnatsd_varz_version{server_id="NDXSERVER",value="2.10.24"} 1');
    });

    it('should leave out nested objects and strings that are not names, as the real exporter does', () => {
      expect(page).not.toContain('gnatsd_varz_jetstream');
      expect(page).not.toContain('gnatsd_varz_http_host');
    });
  });

  describe('when /jsz is rendered', () => {
    it('should expose the server, stream and consumer gauges under prometheus-nats-exporter names', () => {
      expect(line('jetstream_server_max_storage')).toMatch(/server_name="nats-1".*\} 2000000$/);
      expect(line('jetstream_server_total_message_bytes')).toMatch(/ 1200$/);
      expect(line('jetstream_stream_total_bytes')).toMatch(
        /stream_name="EVENTS",stream_leader="nats-1",is_stream_leader="true"\} 1200$/,
      );
      expect(line('jetstream_stream_total_messages')).toMatch(/stream_name="EVENTS".*\} 5$/);
      expect(line('jetstream_consumer_num_redelivered')).toMatch(
        /consumer_name="fb-collector",consumer_leader="nats-2",is_consumer_leader="false"\} 1$/,
      );
      expect(line('jetstream_consumer_num_pending')).toMatch(/consumer_name="fb-collector".*\} 1$/);
      expect(line('jetstream_consumer_num_ack_pending')).toMatch(/consumer_name="fb-collector".*\} 2$/);
    });

    it('should declare every family with a TYPE line, so the check knows the metric even without samples', () => {
      const declared = declaredMetricNames(renderNatsMetrics(varz, { ...jsz, account_details: [] }));
      expect(declared).toContain('jetstream_consumer_num_redelivered');
      expect(declared).toContain('jetstream_stream_total_bytes');
    });
  });
});
