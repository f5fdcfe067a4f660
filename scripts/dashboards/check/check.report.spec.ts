import { describe, expect, it } from 'vitest';
import { formatChecked, formatSummary, oneLine } from './check.report';
import { type CheckedExpression } from './promql.checker';

const passing: CheckedExpression = {
  title: 'Event pipeline / Gateway: accepted events (A)',
  query: 'sum(increase(gateway_events_accepted_total[1800s]))',
  series: 1,
  sample: ['1234'],
  problem: undefined,
};
const empty: CheckedExpression = {
  ...passing,
  title: 'Event pipeline / Dead letters (A)',
  series: 0,
  sample: [],
  problem: 'no data',
};
const rule: CheckedExpression = { ...passing, title: 'evp-availability / EvpTargetDown', series: 0, sample: [] };

describe('check report', () => {
  describe(formatChecked.name, () => {
    it('should print the verdict, the series count, the title, the query and the values', () => {
      expect(formatChecked(passing)).toEqual([
        '  PASS   1 series  Event pipeline / Gateway: accepted events (A)',
        '        sum(increase(gateway_events_accepted_total[1800s]))',
        '          → 1234',
      ]);
    });

    describe('when the expression carries a warning', () => {
      it('should print it under the title', () => {
        expect(formatChecked({ ...rule, warning: 'no service exposes x_total' })[1]).toBe(
          '        WARNING: no service exposes x_total',
        );
      });
    });

    describe('when the query failed', () => {
      it('should print the problem after the title', () => {
        expect(formatChecked(empty)[0]).toBe('  FAIL   0 series  Event pipeline / Dead letters (A): no data');
      });
    });
  });

  describe(oneLine.name, () => {
    it('should fold a multi-line expression onto one line', () => {
      expect(oneLine('sum(x)\n  / (\n    sum(y)\n  )\n')).toBe('sum(x) / ( sum(y) )');
    });
  });

  describe(formatSummary.name, () => {
    describe('when every panel has data and every rule evaluates', () => {
      it('should pass', () => {
        const summary = formatSummary({ panels: [passing], rules: [rule], sqlQueries: 3, runProblems: [] });
        expect(summary.failed).toBe(false);
        expect(summary.lines.at(-1)).toBe('  RESULT: PASS');
      });
    });

    describe('when a rule carries a warning', () => {
      it('should list the warning and still pass', () => {
        const warned = { ...rule, warning: 'no service exposes x_total' };
        const summary = formatSummary({ panels: [passing], rules: [warned], sqlQueries: 3, runProblems: [] });
        expect(summary.failed).toBe(false);
        expect(summary.lines).toContain('    - evp-availability / EvpTargetDown: no service exposes x_total');
      });
    });

    describe('when a panel has no data', () => {
      it('should fail and name the panel', () => {
        const summary = formatSummary({ panels: [passing, empty], rules: [rule], sqlQueries: 3, runProblems: [] });
        expect(summary.failed).toBe(true);
        expect(summary.lines).toContain('    - panel Event pipeline / Dead letters (A): no data');
      });
    });

    describe('when the run itself had a problem', () => {
      it('should fail and list it', () => {
        const summary = formatSummary({
          panels: [passing],
          rules: [rule],
          sqlQueries: 3,
          runProblems: ['stop gateway: exited with 1'],
        });
        expect(summary.failed).toBe(true);
        expect(summary.lines).toContain('    - stop gateway: exited with 1');
      });
    });

    describe('when nothing was checked', () => {
      it('should fail rather than pass vacuously', () => {
        expect(formatSummary({ panels: [], rules: [], sqlQueries: 0, runProblems: [] }).failed).toBe(true);
      });
    });
  });
});
