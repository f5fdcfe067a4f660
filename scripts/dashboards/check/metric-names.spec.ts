import { describe, expect, it } from 'vitest';
import { declaredMetricNames, referencedMetricNames } from './metric-names';

describe(declaredMetricNames.name, () => {
  describe('when the page declares counters, gauges and histograms', () => {
    it('should list each, with the series names a histogram adds, samples or not', () => {
      const page = [
        '# HELP collector_events_failed_total Events that failed.',
        '# TYPE collector_events_failed_total counter',
        '# HELP process_resident_memory_bytes Resident memory.',
        '# TYPE process_resident_memory_bytes gauge',
        'process_resident_memory_bytes{service="gateway"} 1234',
        '# TYPE reporter_report_duration_seconds histogram',
        'reporter_report_duration_seconds_bucket{le="0.005",report="events"} 0',
        '# TYPE rpc_seconds summary',
      ].join('\n');
      expect([...declaredMetricNames(page)].sort()).toEqual([
        'collector_events_failed_total',
        'process_resident_memory_bytes',
        'reporter_report_duration_seconds',
        'reporter_report_duration_seconds_bucket',
        'reporter_report_duration_seconds_count',
        'reporter_report_duration_seconds_sum',
        'rpc_seconds',
        'rpc_seconds_count',
        'rpc_seconds_sum',
      ]);
    });
  });
});

describe(referencedMetricNames.name, () => {
  describe('when metrics sit inside functions, aggregations and binary operators', () => {
    it('should give the metric names only', () => {
      expect(
        referencedMetricNames(
          'sum by (source) (rate(collector_events_failed_total{reason="dead_letter"}[8s])) * 60 or sum by (source) (rate(collector_events_accepted_total[8s])) * 0',
        ),
      ).toEqual(['collector_events_failed_total', 'collector_events_accepted_total']);
    });
  });

  describe('when the expression has quantiles, label matchers with words, and a vector(0) fallback', () => {
    it('should leave out functions, label values and numbers', () => {
      expect(
        referencedMetricNames(
          'histogram_quantile(0.95, sum by (le, report) (rate(reporter_report_duration_seconds_bucket{job=~"reporter|by"}[5m]))) > 0.5 or vector(0)',
        ),
      ).toEqual(['reporter_report_duration_seconds_bucket']);
    });
  });

  describe('when the expression uses matching modifiers, offsets and bare selectors', () => {
    it('should give every selected metric', () => {
      expect(
        referencedMetricNames(
          'max by (source) (collector_consumer_pending) > 10000 and on (source) min(deriv(collector_consumer_pending[10m] offset 1m)) > bool 0 unless up == 0',
        ),
      ).toEqual(['collector_consumer_pending', 'up']);
    });
  });

  describe('when a number has an exponent', () => {
    it('should not take the exponent for a metric', () => {
      expect(referencedMetricNames('gateway_request_body_bytes_sum / 1e6')).toEqual(['gateway_request_body_bytes_sum']);
    });
  });
});
