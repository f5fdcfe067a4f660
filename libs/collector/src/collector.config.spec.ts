import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainNormaliser } from '../test/support/plain-event.normaliser';
import { collectorOptionsOf, loadCollectorConfig } from './collector.config';
import { jetStreamOptionsOf, resolveCollectorSettings } from './collector.settings';

describe(loadCollectorConfig, () => {
  describe('when the environment is empty', () => {
    it('should use the documented defaults with the collector port and durable', () => {
      const config = loadCollectorConfig('ttk-collector', { port: 3002, source: 'tiktok' }, {});
      expect(config).toMatchObject({
        PORT: 3002,
        HOST: '127.0.0.1',
        NATS_URL: ['nats://127.0.0.1:4222'],
        CONSUMER_DURABLE: 'ttk-collector',
        BATCH_SIZE: 1_000,
        MAX_EVENTS_PER_WRITE: 5_000,
        BACKFILL_MAX_EVENTS_PER_SECOND: 5_000,
        MAX_WAIT_MS: 1_000,
        MAX_DELIVER: 60,
        ACK_WAIT_MS: 30_000,
        MIGRATE_ON_START: true,
        SHUTDOWN_TIMEOUT_MS: 20_000,
        DB_POOL_SIZE: 4,
      });
    });
  });

  describe('when variables are bad', () => {
    it('should refuse to start and name each one', () => {
      expect(() =>
        loadCollectorConfig(
          'fb-collector',
          { port: 3001, source: 'facebook' },
          { BATCH_SIZE: '20000', MAX_WAIT_MS: '10', DATABASE_URL: 'http://x' },
        ),
      ).toThrow(/BATCH_SIZE[\s\S]*MAX_WAIT_MS|MAX_WAIT_MS[\s\S]*BATCH_SIZE/);
      expect(() =>
        loadCollectorConfig('fb-collector', { port: 3001, source: 'facebook' }, { MAX_EVENTS_PER_WRITE: '0' }),
      ).toThrow(/MAX_EVENTS_PER_WRITE/);
      expect(() =>
        loadCollectorConfig('fb-collector', { port: 3001, source: 'facebook' }, { DATABASE_URL: 'http://x' }),
      ).toThrow(/DATABASE_URL/);
    });
  });
});

describe('loadCollectorConfig with secrets', () => {
  describe('when the database URL and the NATS password come as files', () => {
    it('should read them, and hand the NATS identity to the messaging module', () => {
      const dir = mkdtempSync(join(tmpdir(), 'evp-collector-secrets-'));
      writeFileSync(join(dir, 'database-url'), 'postgresql://evp_collector:secret@db:5432/evp\n');
      writeFileSync(join(dir, 'nats-password'), 'nats-secret\n');
      const config = loadCollectorConfig(
        'fb-collector',
        { port: 3001, source: 'facebook' },
        {
          DATABASE_URL_FILE: join(dir, 'database-url'),
          NATS_USER: 'fb-collector',
          NATS_PASSWORD_FILE: join(dir, 'nats-password'),
        },
      );
      expect(config.DATABASE_URL).toBe('postgresql://evp_collector:secret@db:5432/evp');
      const options = jetStreamOptionsOf(
        resolveCollectorSettings(
          collectorOptionsOf(config, { source: 'facebook', normaliser: plainNormaliser<'facebook'>() }),
        ),
      );
      expect(options.auth).toMatchObject({ user: 'fb-collector', password: 'nats-secret' });
    });
  });

  describe('when NATS_USER comes without its password', () => {
    it('should refuse to start and name NATS_PASSWORD', () => {
      expect(() =>
        loadCollectorConfig('fb-collector', { port: 3001, source: 'facebook' }, { NATS_USER: 'fb-collector' }),
      ).toThrow(/NATS_PASSWORD: is required with NATS_USER/);
    });
  });
});

describe(collectorOptionsOf, () => {
  describe('when built from a configuration', () => {
    it('should leave the consumers a share of the shutdown time and keep the source binding', () => {
      const config = loadCollectorConfig(
        'fb-collector',
        { port: 3001, source: 'facebook' },
        { SHUTDOWN_TIMEOUT_MS: '8000', BATCH_SIZE: '500', MAX_EVENTS_PER_WRITE: '2000' },
      );
      const options = collectorOptionsOf(config, { source: 'facebook', normaliser: plainNormaliser<'facebook'>() });
      expect(options).toMatchObject({
        source: 'facebook',
        durable: 'fb-collector',
        batchSize: 500,
        maxEventsPerWrite: 2_000,
        shutdownTimeoutMs: 6_000,
        migrateOnStart: true,
      });
    });

    it('should declare the events, ingestion and dead-letter streams with the configured limits, as the gateway does', () => {
      const config = loadCollectorConfig(
        'fb-collector',
        { port: 3001, source: 'facebook' },
        { EVENTS_STREAM_MAX_BYTES: '2147483648', DEAD_LETTER_STREAM_MAX_AGE_MS: '86400000' },
      );
      const options = jetStreamOptionsOf(
        resolveCollectorSettings(
          collectorOptionsOf(config, { source: 'facebook', normaliser: plainNormaliser<'facebook'>() }),
        ),
      );
      expect(options.streams).toEqual([
        expect.objectContaining({ name: 'EVENTS', maxBytes: 2_147_483_648, maxAgeMs: 0 }),
        // No byte or age cap: it would reserve broker storage beside the events stream's.
        { name: 'EVENTS_INGESTION', subjects: ['events.ingestion'], retention: 'workqueue', replicas: 1 },
      ]);
      expect(options.deadLetter).toMatchObject({ stream: 'EVENTS_DLQ', maxBytes: 1_073_741_824, maxAgeMs: 86_400_000 });
    });
  });
});
