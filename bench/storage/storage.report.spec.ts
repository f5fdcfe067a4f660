import { describe, expect, it } from 'vitest';
import {
  bytesPerEventRows,
  formatEvents,
  type LayoutMeasurement,
  relationTotalRows,
  type ThroughputSlice,
  throughputRatio,
  throughputSliceRows,
  writeBoundaries,
} from './storage.report';

const slice = (rowsAtEnd: number, writeSeconds: number): ThroughputSlice => ({
  rowsAtEnd,
  rows: 1_000_000,
  writeSeconds,
  writerBackendCpuSeconds: undefined,
  indexedEvents: 1_000_000,
  indexSeconds: 20,
  indexerBackendCpuSeconds: undefined,
});

describe('throughputSliceRows', () => {
  describe('when the run holds at least two millions', () => {
    it('should slice by the million', () => {
      expect(throughputSliceRows(20_000_000, 2_000)).toBe(1_000_000);
    });
  });

  describe('when the run is shorter', () => {
    it('should slice it in thirds, in whole batches', () => {
      expect(throughputSliceRows(300_000, 2_000)).toBe(100_000);
      expect(throughputSliceRows(1_000, 2_000)).toBe(2_000);
    });
  });
});

describe('writeBoundaries', () => {
  describe('when checkpoints and slice ends interleave', () => {
    it('should list each once, ascending, up to the rows', () => {
      expect(writeBoundaries([1_500_000, 3_000_000], 4_000_000, 1_000_000)).toEqual([
        1_000_000, 1_500_000, 2_000_000, 3_000_000, 4_000_000,
      ]);
    });
  });
});

describe('formatEvents', () => {
  it('should abbreviate round counts', () => {
    expect(formatEvents(10_000_000)).toBe('10M');
    expect(formatEvents(2_500_000)).toBe('2.5M');
    expect(formatEvents(300_000)).toBe('300k');
    expect(formatEvents(1_234)).toBe('1,234');
  });
});

describe('throughputRatio', () => {
  describe('when there are several slices', () => {
    it('should divide the last slice rate by the first', () => {
      expect(throughputRatio([slice(1e6, 40), slice(2e6, 45), slice(3e6, 50)])).toBeCloseTo(0.8);
    });
  });

  describe('when there is one slice', () => {
    it('should return undefined', () => {
      expect(throughputRatio([slice(1e6, 40)])).toBeUndefined();
    });
  });
});

describe('bytesPerEventRows', () => {
  const layouts: LayoutMeasurement[] = [
    {
      layout: 'new',
      checkpoints: [
        {
          events: 1_000,
          sizes: [
            { relation: 'events', kind: 'heap', bytes: 300_000 },
            { relation: 'events', kind: 'events_pkey', bytes: 50_000 },
            { relation: 'demographic_users', kind: 'heap', bytes: 60_000 },
          ],
        },
      ],
    },
    {
      layout: 'legacy',
      checkpoints: [
        {
          events: 1_000,
          sizes: [
            { relation: 'events', kind: 'heap', bytes: 900_000 },
            { relation: 'events', kind: 'events_pkey', bytes: 80_000 },
            { relation: 'events', kind: 'events_occurred_at_idx', bytes: 40_000 },
          ],
        },
      ],
    },
  ];

  describe('when the layouts have different relations and indexes', () => {
    it('should show every one, a dash where a layout lacks it, and the all-in totals', () => {
      expect(bytesPerEventRows(layouts)).toEqual([
        ['relation', 'kind', 'new 1k', 'legacy 1k'],
        ['events', 'heap', '300.0', '900.0'],
        ['events', 'events_occurred_at_idx', '—', '40.0'],
        ['events', 'events_pkey', '50.0', '80.0'],
        ['demographic_users', 'heap', '60.0', '—'],
        ['all-in', 'heaps + indexes', '410.0', '1020.0'],
      ]);
    });
  });

  describe('when summed by relation', () => {
    it('should add each relation heap and indexes', () => {
      expect(relationTotalRows(layouts)).toEqual([
        ['relation', 'new 1k', 'legacy 1k'],
        ['events', '350.0', '1020.0'],
        ['demographic_users', '60.0', '—'],
        ['all-in', '410.0', '1020.0'],
      ]);
    });
  });
});
