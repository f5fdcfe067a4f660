import { describe, expect, it } from 'vitest';
import { Random } from './random';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Random', () => {
  describe('when seeded', () => {
    it('should repeat the same stream', () => {
      const [a, b] = [new Random(7), new Random(7)];
      expect(Array.from({ length: 20 }, () => a.uuid())).toEqual(Array.from({ length: 20 }, () => b.uuid()));
    });
  });

  describe('when drawing uuids', () => {
    it('should produce distinct version-4 UUIDs', () => {
      const random = new Random(1);
      const ids = Array.from({ length: 10_000 }, () => random.uuid());
      expect(ids.filter((id) => !UUID_V4.test(id))).toEqual([]);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('when drawing integers', () => {
    it('should cover [min, max] inclusively and nothing else', () => {
      const random = new Random(2);
      const seen = new Set(Array.from({ length: 5_000 }, () => random.int(18, 65)));
      expect(Math.min(...seen)).toBe(18);
      expect(Math.max(...seen)).toBe(65);
      expect(seen.size).toBe(48);
    });
  });

  describe('when drawing amounts', () => {
    it('should write two decimals within the bounds', () => {
      const random = new Random(3);
      for (const amount of Array.from({ length: 1_000 }, () => random.amount(5, 500))) {
        expect(amount).toMatch(/^\d+\.\d{2}$/);
        expect(Number(amount)).toBeGreaterThanOrEqual(5);
        expect(Number(amount)).toBeLessThanOrEqual(500);
      }
    });
  });
});
