/** A whole number with thousands separators, as the benches print counts and rates. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
