import { CORRUPTION_KINDS, type CorruptionKind, EventGenerator, corruptEvent } from '@evp/synthetic';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, FUNNEL_STAGES, SOURCES } from './event-taxonomy';
import { validateBatch, validateEvent } from './event.validation';

const generator = new EventGenerator({ seed: 42 });
const FB_TOP = () => generator.facebook('ad.view');
const FB_BOTTOM = () => generator.facebook('checkout.complete');
const TTK_TOP = () => generator.tiktok('video.view');
const TTK_BOTTOM = () => generator.tiktok('purchase');

describe('validateEvent', () => {
  describe('when the event is valid', () => {
    for (const source of SOURCES) {
      for (const stage of FUNNEL_STAGES) {
        for (const eventType of EVENT_TYPES[source][stage]) {
          it(`should accept ${source} ${stage} ${eventType}`, () => {
            const event =
              source === 'facebook' ? generator.facebook(eventType as never) : generator.tiktok(eventType as never);
            expect(event.funnelStage).toBe(stage);
            const result = validateEvent(event);
            expect(result).toEqual({ ok: true, event });
          });
        }
      }
    }
  });

  describe('when the event type does not belong to its source or stage', () => {
    it('should reject a TikTok type on a Facebook event', () => {
      const result = validateEvent({ ...FB_BOTTOM(), eventType: 'purchase' });
      expect(result).toMatchObject({ ok: false, issues: [{ path: 'eventType' }] });
    });

    it('should reject a bottom-funnel type on a top-funnel event', () => {
      const result = validateEvent({ ...TTK_TOP(), eventType: 'purchase' });
      expect(result).toMatchObject({ ok: false, issues: [{ path: 'eventType' }] });
    });
  });

  describe('when the engagement shape does not match the stage', () => {
    it('should reject a Facebook top event carrying bottom engagement', () => {
      const top = FB_TOP();
      const result = validateEvent({ ...top, data: { ...top.data, engagement: FB_BOTTOM().data.engagement } });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues.map((issue) => issue.path)).toContain('data.engagement.actionTime');
    });

    it('should reject a TikTok bottom event carrying top engagement', () => {
      const bottom = TTK_BOTTOM();
      const result = validateEvent({ ...bottom, data: { ...bottom.data, engagement: TTK_TOP().data.engagement } });
      expect(result.ok).toBe(false);
    });
  });

  describe('when purchaseAmount is checked', () => {
    it.each([['-1.00'], ['abc'], ['1e3'], ['12.345'], [12.5], ['']])('should reject %j', (amount) => {
      const event = FB_BOTTOM();
      const result = validateEvent({
        ...event,
        data: { ...event.data, engagement: { ...event.data.engagement, purchaseAmount: amount } },
      });
      expect(result).toMatchObject({ ok: false, issues: [{ path: 'data.engagement.purchaseAmount' }] });
    });

    it.each([['0'], ['10.00'], ['1000.5'], [null]])('should accept %j', (amount) => {
      const event = TTK_BOTTOM();
      const result = validateEvent({
        ...event,
        data: { ...event.data, engagement: { ...event.data.engagement, purchaseAmount: amount } },
      });
      expect(result.ok).toBe(true);
    });
  });

  describe('when fields outside the contract are present', () => {
    it('should accept the event and leave them out of the typed event', () => {
      const event = FB_TOP();
      const result = validateEvent({
        ...event,
        extra: 1,
        data: { ...event.data, engagement: { ...event.data.engagement, watchTime: -1 } },
      });
      expect(result).toEqual({ ok: true, event });
    });
  });

  describe('when the input is not an event object', () => {
    it.each([[null], [42], ['text'], [[]], [{}]])('should reject %j with issues', (input) => {
      const result = validateEvent(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues.length).toBeGreaterThan(0);
    });
  });
});

describe('corruptions of the real publisher', () => {
  // What each corruption does to an event of each source and stage: `true` when the event stays valid
  // because the corrupted field is not part of that shape (the routine ignores the source).
  const staysValid: Record<CorruptionKind, (source: string, stage: string) => boolean> = {
    'invalid-timestamp': () => false,
    'missing-event-id': () => false,
    'missing-user-name': () => false,
    'missing-user': () => false,
    'invalid-funnel-stage': () => false,
    'event-type-array': () => false,
    'negative-action-time': (source, stage) =>
      !((source === 'facebook' && stage === 'top') || (source === 'tiktok' && stage === 'bottom')),
    'negative-watch-time': (source, stage) => !(source === 'tiktok' && stage === 'top'),
    'missing-ad-id': (source, stage) => !(source === 'facebook' && stage === 'bottom'),
    'missing-purchased-item': (source, stage) => !(source === 'tiktok' && stage === 'bottom'),
    'alien-gender': (source) => source !== 'facebook',
    'followers-not-a-number': (source) => source !== 'tiktok',
  };
  const shapes = [
    ['facebook', 'top', FB_TOP],
    ['facebook', 'bottom', FB_BOTTOM],
    ['tiktok', 'top', TTK_TOP],
    ['tiktok', 'bottom', TTK_BOTTOM],
  ] as const;

  for (const kind of CORRUPTION_KINDS) {
    for (const [source, stage, make] of shapes) {
      const expected = staysValid[kind](source, stage);
      it(`should ${expected ? 'accept' : 'reject'} ${kind} on a ${source} ${stage} event`, () => {
        const result = validateEvent(corruptEvent(make(), kind));
        expect(result.ok).toBe(expected);
        if (!result.ok) expect(result.issues[0]?.message).toMatch(/\S/);
      });
    }
  }

  it('should name the event id of a rejected event when it has one', () => {
    const event = FB_TOP();
    expect(validateEvent(corruptEvent(event, 'invalid-timestamp'))).toMatchObject({
      ok: false,
      eventId: event.eventId,
    });
    expect(validateEvent(corruptEvent(event, 'missing-event-id'))).toMatchObject({ ok: false, eventId: undefined });
  });
});

describe('validateBatch', () => {
  it('should judge each event on its own', () => {
    const good = FB_TOP();
    const results = validateBatch([good, corruptEvent(TTK_TOP(), 'negative-watch-time'), TTK_BOTTOM()]);
    expect(results.map((result) => result.ok)).toEqual([true, false, true]);
  });
});

describe('property: generated events', () => {
  const seeds = fc.integer({ min: 0, max: 2 ** 31 - 1 });

  it('should always validate', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const event = new EventGenerator({ seed }).next();
        expect(validateEvent(event).ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  // A mutation replaces one leaf of the contract with a value of the wrong type or an out-of-domain value.
  const requiredLeaves = [
    ['eventId'],
    ['timestamp'],
    ['source'],
    ['funnelStage'],
    ['eventType'],
    ['data', 'user', 'userId'],
  ] as const;
  const badValues = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer(),
    fc.constant({}),
    fc.constant([]),
    fc.constant('not-valid-value'),
  );

  it('should catch any single-field mutation of a required envelope field', () => {
    fc.assert(
      fc.property(seeds, fc.constantFrom(...requiredLeaves), badValues, (seed, path, value) => {
        const event = structuredClone(new EventGenerator({ seed }).next()) as unknown as Record<string, unknown>;
        let target = event;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        const leaf = path[path.length - 1]!;
        // A plain string stays a valid id, so ids only get non-string mutations.
        fc.pre(!(typeof value === 'string' && (leaf === 'eventId' || leaf === 'userId')));
        if (value === undefined) delete target[leaf];
        else target[leaf] = value;
        expect(validateEvent(event).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('should catch a wrong-typed number anywhere it is expected', () => {
    fc.assert(
      fc.property(seeds, fc.oneof(fc.string(), fc.constant(-1), fc.constant(Number.NaN)), (seed, value) => {
        const event = structuredClone(new EventGenerator({ seed }).next());
        if (event.source === 'facebook') (event.data.user as { age: unknown }).age = value;
        else (event.data.user as { followers: unknown }).followers = value;
        expect(validateEvent(event).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('validateEvent, for what PostgreSQL can store', () => {
  describe('when followers exceed a PostgreSQL integer', () => {
    it('should refuse 2^31 and accept 2^31 - 1', () => {
      const event = TTK_TOP();
      const withFollowers = (followers: number) => ({
        ...event,
        data: { ...event.data, user: { ...event.data.user, followers } },
      });
      expect(validateEvent(withFollowers(2 ** 31))).toMatchObject({
        ok: false,
        issues: [{ path: 'data.user.followers', message: 'must be at most 2147483647 (a PostgreSQL integer)' }],
      });
      expect(validateEvent(withFollowers(2 ** 31 - 1)).ok).toBe(true);
    });
  });

  describe('when a timestamp lies in year 0000 or past 9999', () => {
    it.each(['0000-01-01T00:00:00.000Z', '0001-01-01T00:30:00+01:00'])('should refuse %s', (timestamp) => {
      expect(validateEvent({ ...FB_TOP(), timestamp })).toMatchObject({
        ok: false,
        issues: [{ path: 'timestamp', message: expect.stringMatching(/between years 0001 and 9999/) }],
      });
    });

    it('should refuse it in actionTime too, and accept year 0001 and 9999', () => {
      const event = TTK_BOTTOM();
      const at = (actionTime: string) => ({
        ...event,
        data: { ...event.data, engagement: { ...event.data.engagement, actionTime } },
      });
      expect(validateEvent(at('0000-12-31T23:59:59.999Z'))).toMatchObject({
        ok: false,
        issues: [{ path: 'data.engagement.actionTime' }],
      });
      expect(validateEvent({ ...FB_TOP(), timestamp: '0001-01-01T00:00:00.000Z' }).ok).toBe(true);
      expect(validateEvent({ ...FB_TOP(), timestamp: '9999-12-31T23:59:59.999Z' }).ok).toBe(true);
    });
  });

  describe('when a string anywhere holds NUL or a lone surrogate', () => {
    it('should refuse it with the path, in contract fields, extra fields and field names alike', () => {
      const event = FB_BOTTOM();
      const result = validateEvent({
        ...event,
        note: 'a\u0000b',
        nested: { list: ['ok', 'x\ud800'] },
        ['bad\u0000key']: 1,
        data: { ...event.data, user: { ...event.data.user, name: 'Ann\u0000' } },
      });
      expect(result).toMatchObject({ ok: false, eventId: event.eventId });
      const issues = result.ok ? [] : result.issues;
      expect(issues).toEqual(
        expect.arrayContaining([
          { path: 'data.user.name', message: expect.stringMatching(/NUL character/) },
          { path: 'note', message: expect.stringMatching(/NUL character/) },
          { path: 'nested.list.1', message: expect.stringMatching(/unpaired UTF-16 surrogate/) },
          { path: '"bad\\u0000key"', message: expect.stringMatching(/^field name must not contain the NUL/) },
        ]),
      );
    });

    it('should find one nested thousands of levels deep, naming a bounded path', () => {
      let deep: unknown = 'x\u0000';
      for (let level = 0; level < 50_000; level++) deep = [deep];
      const result = validateEvent({ ...FB_TOP(), deep });
      expect(result).toMatchObject({ ok: false, issues: [{ path: `deep${'.0'.repeat(19)}.…` }] });
    });

    it('should accept paired surrogates (emoji) and other control characters', () => {
      expect(validateEvent({ ...FB_TOP(), note: 'café ☕ 👍 \u0001\u001f' }).ok).toBe(true);
    });
  });
});
