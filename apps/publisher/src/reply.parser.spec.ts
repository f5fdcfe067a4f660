import { describe, expect, it } from 'vitest';
import { readReplyCounts } from './reply.parser';

describe('readReplyCounts', () => {
  describe('when the reply reports counts', () => {
    it('should read them', () => {
      expect(readReplyCounts('{"accepted":998,"rejected":2,"correlationId":"c-1","errors":[]}')).toEqual({
        accepted: 998,
        rejected: 2,
      });
    });

    it('should count lists', () => {
      expect(readReplyCounts(' {"accepted":["a","b"],"rejected":[{"index":3}]}')).toEqual({ accepted: 2, rejected: 1 });
    });

    it('should keep only the counts it finds', () => {
      expect(readReplyCounts('{"accepted":5}')).toEqual({ accepted: 5 });
    });
  });

  describe('when the reply says nothing usable', () => {
    it.each([
      [''],
      ['OK'],
      ['[1,2]'],
      ['{"accepted":'],
      ['{"accepted":-1,"rejected":"2"}'],
      ['{"accepted":1.5}'],
      ['null'],
    ])('should report no counts for %j', (text) => {
      expect(readReplyCounts(text)).toEqual({});
    });
  });
});
