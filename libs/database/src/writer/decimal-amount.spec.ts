import { describe, expect, it } from 'vitest';
import { amountToCents, centsToAmount, type DecimalAmount, toDecimalAmount } from './decimal-amount';

describe('toDecimalAmount', () => {
  describe('when the value is a non-negative decimal string', () => {
    it('should keep the exact text', () => {
      expect(toDecimalAmount('19.99')).toBe('19.99');
      expect(toDecimalAmount('0')).toBe('0');
      expect(toDecimalAmount('1.5')).toBe('1.5');
      expect(toDecimalAmount('9999999999.99')).toBe('9999999999.99');
    });
  });

  describe('when the value is not an amount the schema can store exactly', () => {
    it('should give null instead of failing', () => {
      for (const value of [null, undefined, 19.99, '', 'abc', '-1.00', '1.999', '1e3', '12345678901.00', '1,50', ' ']) {
        expect(toDecimalAmount(value)).toBeNull();
      }
    });
  });
});

describe('amountToCents', () => {
  describe('when amounts have zero, one or two decimals', () => {
    it('should give exact cents', () => {
      expect(amountToCents('19.99' as DecimalAmount)).toBe(1999n);
      expect(amountToCents('1.5' as DecimalAmount)).toBe(150n);
      expect(amountToCents('7' as DecimalAmount)).toBe(700n);
      expect(amountToCents('9999999999.99' as DecimalAmount)).toBe(999999999999n);
    });
  });

  describe('when many amounts are summed', () => {
    it('should not drift the way floating point does', () => {
      const amounts = Array.from({ length: 10 }, () => toDecimalAmount('0.10') as DecimalAmount);
      expect(centsToAmount(amounts.reduce((sum, amount) => sum + amountToCents(amount), 0n))).toBe('1.00');
    });
  });
});

describe('centsToAmount', () => {
  describe('when cents are formatted', () => {
    it('should always write two decimals', () => {
      expect(centsToAmount(0n)).toBe('0.00');
      expect(centsToAmount(5n)).toBe('0.05');
      expect(centsToAmount(123456789012345n)).toBe('1234567890123.45');
      expect(centsToAmount(-250n)).toBe('-2.50');
    });
  });
});
