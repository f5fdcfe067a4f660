import { validateEvent } from '@evp/contracts';
import { describe, expect, it } from 'vitest';
import { EventGenerator } from './event.generator';
import { COUNTRIES } from './vocabulary';

describe('EventGenerator', () => {
  describe('when given a clock', () => {
    it('should stamp timestamp and action time from it', () => {
      const at = Date.UTC(2026, 4, 1, 12, 30, 15, 250);
      const generator = new EventGenerator({ seed: 1, clock: () => at });
      const event = generator.facebook('ad.view');
      expect(event.timestamp).toBe('2026-05-01T12:30:15.250Z');
      expect(event.data.engagement).toMatchObject({ actionTime: event.timestamp });
    });

    it('should still honour the Date-based clock', () => {
      const generator = new EventGenerator({ seed: 1, now: () => new Date('2026-02-03T04:05:06.789Z') });
      expect(generator.tiktok('purchase').timestamp).toBe('2026-02-03T04:05:06.789Z');
    });
  });

  describe('when generating many events', () => {
    const events = new EventGenerator({ seed: 8 }).batch(20_000);

    it('should produce only valid events with unique ids', () => {
      expect(events.filter((event) => !validateEvent(event).ok)).toEqual([]);
      expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
    });

    it('should draw countries from the whole list, awkward names included', () => {
      const countries = new Set(
        events.map((event) => (event.source === 'facebook' ? event.data.user.location.country : undefined)),
      );
      expect(COUNTRIES.length).toBeGreaterThan(240);
      expect(countries.size).toBeGreaterThan(200);
      expect(countries).toContain("Cote d'Ivoire");
    });
  });
});
