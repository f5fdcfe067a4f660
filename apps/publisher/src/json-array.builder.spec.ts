import { describe, expect, it } from 'vitest';
import { JsonArrayBuilder } from './json-array.builder';

describe('JsonArrayBuilder', () => {
  describe('when nothing is pushed', () => {
    it('should produce an empty array', () => {
      expect(new JsonArrayBuilder(0).finish().toString()).toBe('[]');
    });
  });

  describe('when values are pushed', () => {
    it('should produce exactly the JSON of the array, multi-byte characters included', () => {
      const values = [{ a: 1 }, 'text', null, { country: "Cote d'Ivoire", city: 'Zürich', emoji: '✓' }, [1, 2]];
      const builder = new JsonArrayBuilder(1_000);
      for (const value of values) builder.push(JSON.stringify(value));
      expect(builder.elements).toBe(values.length);
      expect(builder.finish().toString('utf8')).toBe(JSON.stringify(values));
    });
  });

  describe('when the size guess is far too small', () => {
    it('should grow and keep everything written so far', () => {
      const values = Array.from({ length: 2_000 }, (_, index) => ({
        index,
        name: `event-${index}-${'x'.repeat(index % 50)}`,
      }));
      const builder = new JsonArrayBuilder(1);
      for (const value of values) builder.push(JSON.stringify(value));
      expect(JSON.parse(builder.finish().toString('utf8'))).toEqual(values);
    });
  });
});
