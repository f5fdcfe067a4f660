import { describe, expect, it } from 'vitest';
import { lagInEvents } from './system.observation';

describe(lagInEvents, () => {
  describe('when the collector has received packed messages', () => {
    it('should count each waiting message as the average events per message received so far', () => {
      expect(lagInEvents(30, 20_000, 100)).toBe(6_000);
      expect(lagInEvents(0, 20_000, 100)).toBe(0);
    });
  });

  describe('when the collector has received nothing yet', () => {
    it('should count each waiting message as one event', () => {
      expect(lagInEvents(12, 0, 0)).toBe(12);
    });
  });
});
