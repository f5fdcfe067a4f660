import { describe, expect, it } from 'vitest';
import { eventsStream } from './events.stream';

describe(eventsStream, () => {
  it('should take one subject per source and lane under the prefix, as a work queue', () => {
    expect(eventsStream('EVENTS', 'events')).toEqual({
      name: 'EVENTS',
      subjects: ['events.facebook', 'events.tiktok', 'events.backfill.facebook', 'events.backfill.tiktok'],
      retention: 'workqueue',
    });
  });

  it('should keep a test environment on subjects of its own', () => {
    expect(eventsStream('T_EVENTS', 't.abc').subjects).toEqual([
      't.abc.facebook',
      't.abc.tiktok',
      't.abc.backfill.facebook',
      't.abc.backfill.tiktok',
    ]);
  });

  it('should carry the configured byte and age limits', () => {
    expect(eventsStream('EVENTS', 'events', { maxBytes: 1_048_576, maxAgeMs: 60_000 })).toMatchObject({
      retention: 'workqueue',
      maxBytes: 1_048_576,
      maxAgeMs: 60_000,
    });
  });
});
