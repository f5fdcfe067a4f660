import { describe, expect, it } from 'vitest';
import { OutputTail } from './output.tail';

describe(OutputTail.name, () => {
  describe('when output arrives in chunks that split lines', () => {
    it('should put the lines back together', () => {
      const tail = new OutputTail();
      tail.push('first li');
      tail.push('ne\nsecond line\nthi');
      tail.push(Buffer.from('rd line'));
      expect(tail.text()).toBe('first line\nsecond line\nthird line');
    });
  });

  describe('when there are more lines than the limit', () => {
    it('should keep only the last ones, blank lines left out', () => {
      const tail = new OutputTail(2);
      tail.push('one\n\ntwo\nthree\nfour\n');
      expect(tail.text()).toBe('three\nfour');
    });
  });
});
