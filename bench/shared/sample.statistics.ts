/** The value at percentile `p` (0–100) of ascending `sorted` values (nearest rank); NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** A sorted copy, smallest first (numerically, unlike Array#sort's default). */
export function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Smallest, median (nearest rank) and largest of `values`, in any order; NaN for each when there are none. */
export function spread(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = ascending(values);
  return { min: sorted[0] ?? Number.NaN, median: percentile(sorted, 50), max: sorted.at(-1) ?? Number.NaN };
}

/** Slope of the least-squares line through the points (y per unit of x); NaN for fewer than two distinct x. */
export function leastSquaresSlope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const { x, y } of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? Number.NaN : covariance / variance;
}
