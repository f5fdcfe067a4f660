import { DECIMAL_AMOUNT_PATTERN } from '@evp/contracts';

declare const decimalAmountBrand: unique symbol;

/**
 * Money as an exact decimal string (`"19.99"`): non-negative, at most 10 integer digits and 2 decimals, so it
 * fits `numeric(12,2)`. Never a float: amounts travel as text from the event to PostgreSQL.
 */
export type DecimalAmount = string & { readonly [decimalAmountBrand]: true };

/**
 * The amount of a `purchaseAmount` value, or null when there is none or it is not a valid non-negative
 * decimal: such an amount contributes nothing, and must not break the batch it arrives in (shared/spec/EVENTS.md).
 */
export function toDecimalAmount(value: unknown): DecimalAmount | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return DECIMAL_AMOUNT_PATTERN.test(text) ? (text as DecimalAmount) : null;
}

/** Exact cents of an amount, for sums in code that must not touch floating point (tests, checks). */
export function amountToCents(amount: DecimalAmount): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** The decimal string of a number of cents, always with two decimals (`1999n` → `"19.99"`). */
export function centsToAmount(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const magnitude = cents < 0n ? -cents : cents;
  return `${sign}${magnitude / 100n}.${(magnitude % 100n).toString().padStart(2, '0')}`;
}
