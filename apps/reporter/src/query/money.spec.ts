import { describe, expect, it } from 'vitest';
import { averageMoney, centsToMoney, decimalToCents } from './money';

describe('money', () => {
  describe('when reading PostgreSQL numerics', () => {
    it.each([
      ['0', 0n],
      ['12.5', 1250n],
      ['12.05', 1205n],
      ['99999999999999999.99', 9999999999999999999n],
    ])('should read %s exactly', (text, cents) => {
      expect(decimalToCents(text)).toBe(cents);
    });
  });

  describe('when formatting', () => {
    it('should always print two places', () => {
      expect(centsToMoney(0n)).toBe('0.00');
      expect(centsToMoney(5n)).toBe('0.05');
      expect(centsToMoney(123456n)).toBe('1234.56');
    });
  });

  describe('when averaging', () => {
    it('should round half up to the cent', () => {
      expect(averageMoney(1001n, 2)).toBe('5.01');
      expect(averageMoney(1000n, 3)).toBe('3.33');
      expect(averageMoney(2000n, 3)).toBe('6.67');
    });

    it('should be "0.00" without transactions', () => {
      expect(averageMoney(0n, 0)).toBe('0.00');
    });
  });
});
