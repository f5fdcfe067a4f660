import fc from 'fast-check';

/** A report path and a raw query string (already encoded, or deliberately malformed). */
export interface HostileQuery {
  path: string;
  query: string;
}

const PATHS = ['/reports/events', '/reports/revenue', '/reports/demographics'] as const;
const KNOWN = ['from', 'to', 'source', 'funnelStage', 'eventType', 'interval', 'campaignId'] as const;
const UNKNOWN = [
  'limit',
  'offset',
  'order',
  'source[]',
  '__proto__',
  'constructor',
  'toString',
  '',
  ' ',
  'from;',
  'a'.repeat(5_000),
];

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE canary; --",
  "facebook'; DELETE FROM events; --",
  '1; TRUNCATE events',
  "') UNION SELECT usename, passwd FROM pg_shadow --",
  "camp-1' AND pg_sleep(5) IS NULL --",
  '$1',
  '\\',
  '%00',
  '\u0000',
  "2026-01-01T00:00:00Z'::timestamptz; DROP TABLE canary; --",
  '{"$gt":""}',
  '../../etc/passwd',
  '<script>alert(1)</script>',
] as const;

const DATES = [
  '2026-01-01T00:00:00Z',
  '2026-01-01',
  '99999-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '0000-00-00T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-01-01T25:61:61Z',
  '1e309',
  '9'.repeat(400),
  '-1',
  'Infinity',
  'now',
] as const;

const GOOD = [
  'facebook',
  'tiktok',
  'top',
  'bottom',
  'ad.view',
  'purchase',
  'checkout.complete',
  'minute',
  'hour',
  'day',
  'camp-1',
];

const value = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.constantFrom(...DATES),
  fc.constantFrom(...GOOD),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.integer().map(String),
);

const name = fc.oneof(
  { arbitrary: fc.constantFrom(...KNOWN), weight: 5 },
  { arbitrary: fc.constantFrom(...UNKNOWN), weight: 1 },
);

/** One `name=value` pair, usually encoded, sometimes raw (malformed percent escapes, bare `&` and `=`). */
const pair = fc.tuple(name, value, fc.nat(9)).map(([key, text, style]) => {
  if (style === 0) return `${key}=${text.replace(/[^\x20-\x7e]/g, '')}`;
  if (style === 1) return `${encodeURIComponent(key)}`;
  return `${encodeURIComponent(key)}=${encodeURIComponent(text)}`;
});

const malformed = fc.constantFrom(
  '%',
  '%zz',
  '%E0%A4%A',
  'from=%',
  '&&&',
  '==',
  'source=facebook&source=tiktok&source=facebook',
);

export function hostileReportQuery(): fc.Arbitrary<HostileQuery> {
  const query = fc.oneof(
    { arbitrary: fc.array(pair, { maxLength: 6 }).map((pairs) => pairs.join('&')), weight: 8 },
    // Only valid values: the query reaches the database and must come back 200.
    {
      arbitrary: fc
        .subarray(['source=facebook', 'from=2020-01-01T00:00:00Z', 'to=2030-01-01T00:00:00Z'])
        .map((pairs) => pairs.join('&')),
      weight: 2,
    },
    { arbitrary: malformed, weight: 1 },
  );
  return fc.record({ path: fc.constantFrom(...PATHS), query });
}
