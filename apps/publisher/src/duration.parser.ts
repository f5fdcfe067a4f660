const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Reads `90`, `90s`, `1500ms`, `2.5m` or `1h` as milliseconds; a bare number is seconds, the unit
 * people mean for a run's length. Returns undefined for anything else, including zero and negatives.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!);
  return ms > 0 ? ms : undefined;
}
