import { EventGenerator } from '@evp/synthetic';
import fc from 'fast-check';

/** A request body as bytes plus the content type it is sent with (none when undefined). */
export interface HostileBody {
  bytes: Buffer;
  contentType?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const CONTENT_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
] as const;

/** Keys that reach object prototypes when a parser or a merge is careless. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Paths into an event where a wrong value hurts most. */
const PATHS = [
  ['eventId'],
  ['timestamp'],
  ['source'],
  ['funnelStage'],
  ['eventType'],
  ['data'],
  ['data', 'user'],
  ['data', 'user', 'userId'],
  ['data', 'user', 'age'],
  ['data', 'user', 'followers'],
  ['data', 'user', 'location'],
  ['data', 'engagement'],
  ['data', 'engagement', 'purchaseAmount'],
  ['data', 'engagement', 'actionTime'],
  ['data', 'engagement', 'watchTime'],
] as const;

const hugeString = fc.integer({ min: 70_000, max: 400_000 }).map((length) => 'é'.repeat(length));

/** Values of the wrong kind for any field: other types, numbers as strings, unicode, huge strings. */
const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.double().map((value) => String(value)),
  fc.constantFrom<Json>(
    'NaN',
    '-1',
    '1e309',
    '0x10',
    '',
    ' ',
    '\u0000',
    '\uD800',
    '2026-13-45T99:99:99Z',
    -1,
    1e308,
    -0,
  ),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  hugeString,
);

type Mutation =
  | { kind: 'set'; path: readonly string[]; value: Json }
  | { kind: 'delete'; path: readonly string[] }
  | { kind: 'prototype-key'; key: string; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: wrongValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({
    kind: fc.constant('prototype-key' as const),
    key: fc.constantFrom(...PROTOTYPE_KEYS),
    value: fc.constantFrom<Json>({ polluted: true }, { toString: 'x', valueOf: 1 }, 'x', null),
  }),
);

/** Applies a mutation to a copy of an event and returns its JSON text. */
function mutatedEventText(event: Json, change: Mutation): string {
  const copy = structuredClone(event) as { [key: string]: Json };
  if (change.kind === 'prototype-key') {
    // Written into the text: an object literal cannot hold an own `__proto__` key for JSON.stringify to emit.
    const text = JSON.stringify(copy);
    return `{${JSON.stringify(change.key)}:${JSON.stringify(change.value)},${text.slice(1)}`;
  }
  let parent: Json = copy;
  for (const key of change.path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) break;
    parent = parent[key] ?? null;
  }
  const last = change.path[change.path.length - 1] ?? '';
  if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) {
    if (change.kind === 'delete') delete parent[last];
    else parent[last] = change.value;
  }
  return JSON.stringify(copy);
}

const seededEvents = (count: number) =>
  fc
    .integer({ min: 1, max: 2 ** 31 - 1 })
    .map((seed) => new EventGenerator({ seed }).batch(count) as unknown as Json[]);

/** A batch of valid events with some of them broken by mutations. */
const mutatedBatch = fc
  .tuple(seededEvents(4), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([events, changes, asArray]) => {
    const texts = events.map((event, index) => {
      const change = changes[index];
      return change ? mutatedEventText(event, change) : JSON.stringify(event);
    });
    return asArray ? `[${texts.join(',')}]` : (texts[0] ?? '{}');
  });

/** Arrays or objects nested far deeper than any parser's call stack would survive by recursion. */
const deepNesting = fc
  .tuple(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom('array', 'object', 'in-event'), seededEvents(1))
  .map(([depth, shape, [event]]) => {
    if (shape === 'array') return '['.repeat(depth) + ']'.repeat(depth);
    if (shape === 'object') return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const text = JSON.stringify(event);
    return `[${text.slice(0, -1)},"nested":${'['.repeat(depth)}${']'.repeat(depth)}}]`;
  });

/** A valid body cut anywhere. */
const truncated = fc.tuple(seededEvents(3), fc.double({ min: 0, max: 1, noNaN: true })).map(([events, share]) => {
  const text = JSON.stringify(events);
  return text.slice(0, Math.floor(text.length * share));
});

const textBody = fc.oneof(
  { arbitrary: mutatedBatch, weight: 6 },
  { arbitrary: deepNesting, weight: 2 },
  { arbitrary: truncated, weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 500 }), weight: 1 },
);

/** Bytes that are not UTF-8: lone continuation bytes, overlongs and surrogates, dropped into a JSON body. */
const invalidUtf8 = fc
  .tuple(
    seededEvents(2),
    fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([events, bad, share]) => {
    const text = Buffer.from(JSON.stringify(events));
    const at = Math.floor(text.length * share);
    return Buffer.concat([text.subarray(0, at), Buffer.from(bad), text.subarray(at)]);
  });

/** Any hostile body a publisher or an attacker could send to the webhook. */
export function hostileWebhookBody(): fc.Arbitrary<HostileBody> {
  const bytes = fc.oneof(
    { arbitrary: textBody.map((text) => Buffer.from(text)), weight: 10 },
    { arbitrary: invalidUtf8, weight: 2 },
    { arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((array) => Buffer.from(array)), weight: 1 },
  );
  const contentType = fc.oneof(
    { arbitrary: fc.constant<string | undefined>('application/json'), weight: 4 },
    { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 1 },
  );
  return fc
    .record({ bytes, contentType })
    .map(({ bytes: body, contentType: type }) =>
      type === undefined ? { bytes: body } : { bytes: body, contentType: type },
    );
}
