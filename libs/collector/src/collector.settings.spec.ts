import { COLLECTOR_DURABLES } from '@evp/contracts';
import { describe, expect, it } from 'vitest';
import { plainNormaliser } from '../test/support/plain-event.normaliser';
import { CollectorOptionsError } from './collector.errors';
import { databaseOptionsOf, jetStreamOptionsOf, resolveCollectorSettings } from './collector.settings';
import type { CollectorModuleOptions } from './collector.options';

const databaseUrl = 'postgresql://postgres@127.0.0.1:5432/evp';

describe(resolveCollectorSettings, () => {
  describe('when only the source, normaliser and database are given', () => {
    it('should read the source subject with the source durable and documented defaults', () => {
      const settings = resolveCollectorSettings({
        source: 'tiktok',
        normaliser: plainNormaliser<'tiktok'>(),
        databaseUrl,
      });
      expect(settings).toMatchObject({
        durable: COLLECTOR_DURABLES.tiktok,
        connectionName: COLLECTOR_DURABLES.tiktok,
        subject: 'events.tiktok',
        stream: 'EVENTS',
        deadLetterStream: 'EVENTS_DLQ',
        batchSize: 1_000,
        maxEventsPerWrite: 5_000,
        maxDeliver: 60,
        migrateOnStart: false,
        backfillMaxEventsPerSecond: 5_000,
        lanes: {
          live: { durable: 'ttk-collector', subject: 'events.tiktok' },
          backfill: { durable: 'ttk-collector-backfill', subject: 'events.backfill.tiktok' },
        },
      });
    });
  });

  describe('when options are invalid', () => {
    it('should name every bad option', () => {
      const options = {
        source: 'myspace',
        normaliser: 'none',
        databaseUrl: 'mysql://db',
        batchSize: 0,
        maxEventsPerWrite: 0,
      } as unknown as CollectorModuleOptions;
      let error: unknown;
      try {
        resolveCollectorSettings(options);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CollectorOptionsError);
      expect((error as CollectorOptionsError).problems.map((problem) => problem.option).sort()).toEqual([
        'batchSize',
        'databaseUrl',
        'maxEventsPerWrite',
        'normaliser',
        'source',
      ]);
      expect((error as CollectorOptionsError).code).toBe('COLLECTOR.INVALID_OPTIONS');
    });
  });
});

describe(jetStreamOptionsOf, () => {
  describe('when a collector is configured', () => {
    it('should declare the events and ingestion streams as the gateway does, one durable per lane of the source and the shared ingestion durable', () => {
      const settings = resolveCollectorSettings({
        source: 'facebook',
        normaliser: plainNormaliser<'facebook'>(),
        databaseUrl,
        subjectPrefix: 'test.events',
        durable: 'fb-test',
        batchSize: 500,
      });
      const options = jetStreamOptionsOf(settings);
      expect(options.streams).toEqual([
        {
          name: 'EVENTS',
          subjects: [
            'test.events.facebook',
            'test.events.tiktok',
            'test.events.backfill.facebook',
            'test.events.backfill.tiktok',
          ],
          retention: 'workqueue',
        },
        { name: 'EVENTS_INGESTION', subjects: ['test.events.ingestion'], retention: 'workqueue' },
      ]);
      expect(options.consumers).toEqual([
        expect.objectContaining({
          stream: 'EVENTS',
          durable: 'fb-test',
          filterSubject: 'test.events.facebook',
          batchSize: 500,
        }),
        expect.objectContaining({
          stream: 'EVENTS',
          durable: 'fb-test-backfill',
          filterSubject: 'test.events.backfill.facebook',
          batchSize: 500,
        }),
        expect.objectContaining({
          stream: 'EVENTS_INGESTION',
          durable: 'ingestion-outcomes',
          filterSubject: 'test.events.ingestion',
        }),
      ]);
      expect(databaseOptionsOf(settings)).toEqual({
        url: databaseUrl,
        migrateOnStart: false,
        poolSize: 4,
        maintainStorage: true,
      });
    });
  });
});
