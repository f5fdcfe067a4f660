import { validateEvent } from '@evp/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchFactory, type BatchFactoryOptions, type PreparedBatch } from './batch.factory';

const factory = (overrides: Partial<BatchFactoryOptions> = {}) =>
  new BatchFactory({
    batchMin: 50,
    batchMax: 150,
    duplicateRate: 0,
    jitterMs: 0,
    corruptionRate: 0.1,
    seed: 3,
    ...overrides,
  });
const eventsOf = (batch: PreparedBatch) => JSON.parse(batch.body.toString('utf8')) as Array<Record<string, unknown>>;
const take = async (source: BatchFactory, count: number) => {
  const batches: PreparedBatch[] = [];
  for (let index = 0; index < count; index += 1) batches.push((await source.next())!);
  return batches;
};

describe('BatchFactory', () => {
  describe('when it builds batches', () => {
    let batches: PreparedBatch[];
    beforeAll(async () => {
      batches = await take(factory(), 400);
    });

    it('should draw sizes uniformly within the range, plus the appended corrupted event', () => {
      const sizes = batches.map((batch) => batch.eventCount - (batch.corruption ? 1 : 0));
      expect(Math.min(...sizes)).toBe(50);
      expect(Math.max(...sizes)).toBe(150);
      const mean = sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
      expect(mean).toBeGreaterThan(95);
      expect(mean).toBeLessThan(105);
    });

    it('should serialise the body as a JSON array of exactly eventCount events', () => {
      for (const batch of batches.slice(0, 20)) expect(eventsOf(batch)).toHaveLength(batch.eventCount);
    });

    it('should append a corrupted event to about the asked share of batches, as the last element', () => {
      const corrupted = batches.filter((batch) => batch.corruption);
      expect(corrupted.length / batches.length).toBeGreaterThan(0.06);
      expect(corrupted.length / batches.length).toBeLessThan(0.14);
      for (const batch of corrupted) {
        const events = eventsOf(batch);
        expect(events.slice(0, -1).every((event) => validateEvent(event).ok)).toBe(true);
        expect(validateEvent(events.at(-1)).ok).toBe(batch.corruption!.valid);
      }
    });

    it('should list the ids of exactly the elements that pass the contract', () => {
      for (const batch of batches.slice(0, 100)) {
        const valid = eventsOf(batch).filter((event) => validateEvent(event).ok);
        expect(batch.validIds).toEqual(valid.map((event) => event.eventId));
      }
    });

    it('should number batches from 1', () => {
      expect(batches.map((batch) => batch.seq).slice(0, 3)).toEqual([1, 2, 3]);
    });
  });

  describe('when the same seed is used twice', () => {
    it('should build the same events', async () => {
      const [first, second] = await Promise.all(
        [factory({ seed: 99 }), factory({ seed: 99 })].map(async (source) =>
          (await take(source, 5)).map((batch) => eventsOf(batch).map((event) => event.eventId)),
        ),
      );
      expect(first).toEqual(second);
    });
  });

  describe('when several batches are built at once', () => {
    it('should build each as it would alone and never overshoot the total', async () => {
      const options = { seed: 21, batchMin: 1_500, batchMax: 3_000, totalEvents: 9_000 };
      const alone = await take(factory(options), 4);
      const together = factory(options);
      const built = await Promise.all(Array.from({ length: 6 }, () => together.next()));
      const batches = built.filter((batch) => batch !== undefined);
      expect(batches.reduce((sum, batch) => sum + batch.eventCount, 0)).toBe(9_000);
      expect(together.exhausted).toBe(true);
      for (const batch of batches.slice(0, -1)) {
        const twin = alone.find((candidate) => candidate.seq === batch.seq)!;
        // Timestamps aside (they are the build time), the content is the same.
        expect(batch.validIds).toEqual(twin.validIds);
        expect(batch.corruption).toEqual(twin.corruption);
      }
    });
  });

  describe('when a total is set', () => {
    it('should issue exactly that many elements and then nothing', async () => {
      const source = factory({ totalEvents: 1_001, corruptionRate: 0.5 });
      let sent = 0;
      for (let batch = await source.next(); batch; batch = await source.next()) sent += batch.eventCount;
      expect(sent).toBe(1_001);
      expect(source.exhausted).toBe(true);
      expect(await source.next()).toBeUndefined();
    });
  });

  describe('when a duplicate rate is set', () => {
    it('should repeat earlier events byte for byte at about that rate', async () => {
      const source = factory({ duplicateRate: 0.3, corruptionRate: 0 });
      const seen = new Map<string, string>();
      let duplicates = 0;
      let total = 0;
      for (const batch of await take(source, 100)) {
        for (const event of eventsOf(batch)) {
          const json = JSON.stringify(event);
          const id = event.eventId as string;
          total += 1;
          if (seen.has(id)) {
            duplicates += 1;
            expect(json).toBe(seen.get(id));
          } else seen.set(id, json);
        }
        expect(batch.validIds).toHaveLength(batch.eventCount);
      }
      expect(duplicates / total).toBeGreaterThan(0.27);
      expect(duplicates / total).toBeLessThan(0.33);
    });
  });

  describe('when jitter is set', () => {
    it('should shift timestamps back by up to the jitter', async () => {
      const before = Date.now();
      const [batch] = await take(factory({ jitterMs: 3_600_000, corruptionRate: 0 }), 1);
      const after = Date.now();
      const times = eventsOf(batch!).map((event) => Date.parse(event.timestamp as string));
      expect(Math.max(...times)).toBeLessThanOrEqual(after);
      expect(Math.min(...times)).toBeGreaterThanOrEqual(before - 3_600_000);
      expect(Math.min(...times)).toBeLessThan(before - 1_800_000);
    });
  });
});
