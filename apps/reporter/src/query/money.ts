/** Exact cents of a non-negative decimal string as PostgreSQL prints numeric values (`"1234.5"`, `"12.00"`, `"0"`). */
export function decimalToCents(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
}

/** `1999n` → `"19.99"`. */
export function centsToMoney(cents: bigint): string {
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}

/** `cents / count` rounded half up to a whole cent, as money; "0.00" when the count is zero. */
export function averageMoney(cents: bigint, count: number): string {
  if (count === 0) return '0.00';
  const divisor = BigInt(count);
  return centsToMoney((2n * cents + divisor) / (2n * divisor));
}
