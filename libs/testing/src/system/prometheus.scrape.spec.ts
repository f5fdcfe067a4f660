import { describe, expect, it } from 'vitest';
import { metricSum, parsePrometheusText } from './prometheus.scrape';

const EXPOSITION = `# HELP gateway_events_accepted_total Events that passed validation.
# TYPE gateway_events_accepted_total counter
gateway_events_accepted_total{source="facebook"} 120
gateway_events_accepted_total{source="tiktok"} 80
gateway_events_failed_total{source="unknown",reason="invalid"} 3
gateway_events_failed_total{source="tiktok",reason="publish_failed"} 2
process_cpu_seconds_total 1.5e+1
label_with_quote{text="a \\"quoted\\" value"} 1
`;

describe('parsePrometheusText', () => {
  describe('when given a text exposition', () => {
    it('should read names, labels and values and skip comments', () => {
      const samples = parsePrometheusText(EXPOSITION);
      expect(samples).toHaveLength(6);
      expect(samples[0]).toEqual({ name: 'gateway_events_accepted_total', labels: { source: 'facebook' }, value: 120 });
      expect(samples[4]).toEqual({ name: 'process_cpu_seconds_total', labels: {}, value: 15 });
      expect(samples[5]?.labels.text).toBe('a "quoted" value');
    });
  });
});

describe('metricSum', () => {
  describe('when labels are given', () => {
    it('should add only the samples carrying every given label value', () => {
      const samples = parsePrometheusText(EXPOSITION);
      expect(metricSum(samples, 'gateway_events_accepted_total')).toBe(200);
      expect(metricSum(samples, 'gateway_events_failed_total', { reason: 'invalid' })).toBe(3);
      expect(metricSum(samples, 'gateway_events_failed_total', { reason: 'invalid', source: 'tiktok' })).toBe(0);
      expect(metricSum(samples, 'missing_metric')).toBe(0);
    });
  });
});
