import { describe, expect, it } from 'vitest';
import { IngestionTally } from './ingestion.recorder';

describe(IngestionTally, () => {
  describe('when counts are added', () => {
    it('should add up each (source, outcome, reason) and keep the others apart', () => {
      const tally = new IngestionTally();
      tally.add('facebook', 'accepted', '', 200);
      tally.add('tiktok', 'accepted', '', 5);
      tally.add('facebook', 'accepted', '', 150);
      tally.add('facebook', 'dead_lettered', 'invalid', 1);
      tally.add('unknown', 'dead_lettered', 'invalid', 1);
      tally.add('facebook', 'dead_lettered', 'future_timestamp', 1);
      tally.add('facebook', 'dead_lettered', 'invalid', 1);

      expect(tally.counts).toEqual([
        { source: 'facebook', outcome: 'accepted', reason: '', count: 350 },
        { source: 'tiktok', outcome: 'accepted', reason: '', count: 5 },
        { source: 'facebook', outcome: 'dead_lettered', reason: 'invalid', count: 2 },
        { source: 'unknown', outcome: 'dead_lettered', reason: 'invalid', count: 1 },
        { source: 'facebook', outcome: 'dead_lettered', reason: 'future_timestamp', count: 1 },
      ]);
    });
  });
});
