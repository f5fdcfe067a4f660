/** Earliest and latest instants a report range may name: PostgreSQL `timestamptz` has no year 0, JS dates stop at 275760. */
export const EARLIEST_INSTANT_MS = utcInstant(1, 1, 1);
export const LATEST_INSTANT_MS = utcInstant(9999, 12, 31, 23, 59, 59) + 999;

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

export type InstantParseResult = { ok: true; epochMs: number } | { ok: false; message: string };

const MINUTE_MS = 60_000;

/** `Date.UTC` maps years 0-99 to 1900-1999, so years are set explicitly. */
function utcInstant(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** Day 0 of the next month is the last day of this one. */
const daysInMonth = (year: number, month: number) => new Date(utcInstant(year, month + 1, 0)).getUTCDate();

/**
 * Parses an ISO-8601 instant strictly: `2026-01-31T12:00:00Z`, with optional seconds, fraction and any
 * `±hh:mm` offset, or a bare date meaning midnight UTC. Impossible calendar values (February 30, hour 24)
 * are refused rather than rolled over as `Date.parse` does. Stored times have millisecond precision, so a
 * finer fraction is rounded up to the next millisecond: the same events fall inside `[from, to)` either way.
 */
export function parseIsoInstant(text: string): InstantParseResult {
  const match = ISO_INSTANT.exec(text);
  if (!match) return { ok: false, message: 'must be an ISO-8601 instant, e.g. 2026-01-31T12:00:00Z or 2026-01-31' };
  const [, yearText, monthText, dayText, hourText, minuteText, secondText, fraction, offset] = match;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText ?? 0);
  const minute = Number(minuteText ?? 0);
  const second = Number(secondText ?? 0);
  if (hourText !== undefined && offset === undefined) {
    return { ok: false, message: 'must name its time zone: end it with Z or an offset such as +02:00' };
  }
  if (
    year < 1 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return { ok: false, message: `is not a real date and time: ${text}` };
  }
  const offsetMinutes = parseOffsetMinutes(offset);
  if (offsetMinutes === undefined) return { ok: false, message: `has an impossible time zone offset: ${offset}` };

  const digits = (fraction ?? '').padEnd(9, '0');
  const millis = Number(digits.slice(0, 3));
  const finer = Number(digits.slice(3)) > 0 ? 1 : 0;
  const epochMs = utcInstant(year, month, day, hour, minute, second) + millis + finer - offsetMinutes * MINUTE_MS;
  if (epochMs < EARLIEST_INSTANT_MS || epochMs > LATEST_INSTANT_MS) {
    return { ok: false, message: 'must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z' };
  }
  return { ok: true, epochMs };
}

function parseOffsetMinutes(offset: string | undefined): number | undefined {
  if (offset === undefined || offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
