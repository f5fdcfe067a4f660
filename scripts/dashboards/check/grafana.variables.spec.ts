import { describe, expect, it } from 'vitest';
import {
  builtInVariables,
  relativeRangeSeconds,
  resolveExpression,
  templateValue,
  unresolvedVariables,
} from './grafana.variables';

describe('Grafana variables', () => {
  describe(relativeRangeSeconds.name, () => {
    describe('when the range is relative to now', () => {
      it('should give its length in seconds', () => {
        expect(relativeRangeSeconds('now-30m')).toBe(1_800);
        expect(relativeRangeSeconds('now-6h')).toBe(21_600);
        expect(relativeRangeSeconds('now-2d')).toBe(172_800);
      });
    });

    describe('when the range is absolute or rounded', () => {
      it('should give undefined', () => {
        expect(relativeRangeSeconds('2026-01-01T00:00:00Z')).toBeUndefined();
        expect(relativeRangeSeconds('now/d')).toBeUndefined();
      });
    });
  });

  describe(builtInVariables.name, () => {
    describe('when the range over the data points is shorter than the scrape interval', () => {
      it('should bound $__interval by the scrape interval and make $__rate_interval four scrapes', () => {
        expect(builtInVariables({ rangeSeconds: 1_800, scrapeIntervalSeconds: 2 })).toEqual({
          interval: '2s',
          rateInterval: '8s',
          range: '1800s',
        });
      });
    });

    describe('when the range over the data points is longer than four scrapes', () => {
      it('should make $__rate_interval one scrape more than $__interval', () => {
        expect(builtInVariables({ rangeSeconds: 21_600, scrapeIntervalSeconds: 5 })).toEqual({
          interval: '22s',
          rateInterval: '27s',
          range: '21600s',
        });
      });
    });
  });

  describe(templateValue.name, () => {
    describe('when the variable has one saved value', () => {
      it('should give that value', () => {
        expect(templateValue({ name: 'job', type: 'custom', current: { value: 'gateway' } })).toBe('gateway');
      });
    });

    describe('when the variable has several saved values', () => {
      it('should give a regex alternation, as Grafana does for Prometheus', () => {
        expect(templateValue({ name: 'job', type: 'custom', current: { value: ['gateway', 'reporter'] } })).toBe(
          '(gateway|reporter)',
        );
      });
    });

    describe('when "All" is selected', () => {
      it('should give the custom all value when there is one', () => {
        expect(
          templateValue({ name: 'source', type: 'query', current: { value: ['$__all'] }, allValue: 'facebook|tiktok' }),
        ).toBe('facebook|tiktok');
      });

      it('should give a regex matching everything otherwise', () => {
        expect(templateValue({ name: 'source', type: 'query', current: { value: '$__all' } })).toBe('.*');
      });
    });
  });

  describe(resolveExpression.name, () => {
    const context = {
      rangeSeconds: 1_800,
      scrapeIntervalSeconds: 2,
      templateVariables: [
        { name: 'job', type: 'custom', current: { value: 'gateway' } },
        { name: 'jobs', type: 'custom', current: { value: ['fb-collector', 'ttk-collector'] } },
      ],
    };

    describe('when the expression uses every syntax of template variables', () => {
      it('should replace each, without touching a longer name that starts the same', () => {
        expect(
          resolveExpression(
            'up{job="$job"} or up{job=~"${jobs}"} or up{job="[[job]]"} or up{job=~"${jobs:regex}"}',
            context,
          ),
        ).toBe(
          'up{job="gateway"} or up{job=~"(fb-collector|ttk-collector)"} or up{job="gateway"} or up{job=~"(fb-collector|ttk-collector)"}',
        );
      });
    });

    describe('when the expression uses the built-in interval variables', () => {
      it('should replace them with Prometheus durations', () => {
        expect(
          resolveExpression('sum(increase(x[$__range])) / sum(rate(x[$__rate_interval])) + y[$__interval]', context),
        ).toBe('sum(increase(x[1800s])) / sum(rate(x[8s])) + y[2s]');
      });
    });
  });

  describe(unresolvedVariables.name, () => {
    describe('when variables remain', () => {
      it('should list them', () => {
        expect(unresolvedVariables('rate(x{a="$source"}[${window}]) + [[legacy]]')).toEqual([
          '$source',
          '${window}',
          '[[legacy]]',
        ]);
      });
    });

    describe('when only regex anchors contain a dollar sign', () => {
      it('should list nothing', () => {
        expect(unresolvedVariables('up{job=~"^gate.*$"}')).toEqual([]);
      });
    });
  });
});
