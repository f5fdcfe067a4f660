import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** `1500ms`, `30s`, `90m`, `23h`, `7d` in milliseconds, or undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return Number.isSafeInteger(Math.round(ms)) ? Math.round(ms) : undefined;
}

/**
 * A duration written with its unit (`ms`, `s`, `m`, `h`, `d`; e.g. `23h`), read as milliseconds. A unit is required
 * so that `24` cannot be taken for hours by one reader and milliseconds by another.
 */
export const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, context) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        context.addIssue({
          code: 'custom',
          message: `must be a duration with a unit, e.g. 500ms, 30s, 15m, 23h or 7d (got "${text}")`,
        });
        return z.NEVER;
      }
      return ms;
    });
