import { describe, expect, it } from 'vitest';
import { parsePublisherProgress, parsePublisherReply } from './publisher-output.parser';

describe('parsePublisherProgress', () => {
  describe('when given a progress line of the emulator', () => {
    it('should read the elapsed time and the totals sent and acknowledged', () => {
      const line =
        'progress 12.5s: sent 312,456 events (24,996/s, now 25,100/s), accepted 290,001 (2xx), rejected 3, failed requests 0, in flight 1';
      expect(parsePublisherProgress(line)).toEqual({ elapsedSeconds: 12.5, sent: 312_456, acknowledged: 290_001 });
    });
  });

  describe('when given another line', () => {
    it('should return undefined', () => {
      expect(parsePublisherProgress('batch #3: sent 1,000 events (0.42 MB) -> 202 in 80 ms')).toBeUndefined();
    });
  });
});

describe('parsePublisherReply', () => {
  describe('when the body was answered', () => {
    it('should read the events, the status and the reply time', () => {
      const line = 'batch #17: sent 49,873 events (21.04 MB) -> 202 in 1234 ms (accepted 49,872, rejected 1)';
      expect(parsePublisherReply(line)).toEqual({ events: 49_873, status: 202, elapsedMs: 1234 });
    });

    it('should read a non-2xx answer the same way', () => {
      const line = 'batch #2: sent 1,200 events (0.51 MB) -> 503 in 15 ms: unavailable; batch dropped';
      expect(parsePublisherReply(line)).toEqual({ events: 1_200, status: 503, elapsedMs: 15 });
    });
  });

  describe('when no reply came', () => {
    it('should leave the status undefined and keep the time waited', () => {
      const line =
        'batch #9: sent 30,000 events (12.60 MB) -> no reply after 120000 ms (timeout: aborted); batch dropped';
      expect(parsePublisherReply(line)).toEqual({ events: 30_000, status: undefined, elapsedMs: 120_000 });
    });
  });

  describe('when given a progress line', () => {
    it('should return undefined', () => {
      expect(parsePublisherReply('progress 1.0s: sent 0 events (0/s, now 0/s), accepted 0 (2xx)')).toBeUndefined();
    });
  });
});
