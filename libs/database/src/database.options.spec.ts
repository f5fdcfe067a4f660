import { describe, expect, it } from 'vitest';
import { describeDatabase, resolveDatabaseOptions } from './database.options';
import { DatabaseOptionsError } from './errors/database.errors';

describe('resolveDatabaseOptions', () => {
  describe('when only the URL is given', () => {
    it('should fill in the defaults', () => {
      expect(resolveDatabaseOptions({ url: 'postgresql://postgres@127.0.0.1:5432/evp' })).toEqual({
        url: 'postgresql://postgres@127.0.0.1:5432/evp',
        ownerUrl: 'postgresql://postgres@127.0.0.1:5432/evp',
        indexerUrl: 'postgresql://postgres@127.0.0.1:5432/evp',
        migrateOnStart: false,
        poolSize: 4,
        connectTimeoutMs: 5_000,
        readinessTimeoutMs: 2_000,
        migrationTimeoutMs: 120_000,
        partitionInterval: 'day',
        partitionsAhead: 3,
        retentionDays: 30,
        maintainStorage: false,
        storageMaintenanceIntervalMs: 600_000,
      });
    });
  });

  describe('when options are invalid', () => {
    it('should throw a DatabaseOptionsError naming every bad option', () => {
      const attempt = () => resolveDatabaseOptions({ url: 'mysql://localhost/evp', poolSize: 0 });
      expect(attempt).toThrow(DatabaseOptionsError);
      expect(attempt).toThrow(/url: must be a postgresql:\/\/ URL.*poolSize/);
    });
  });
});

describe('describeDatabase', () => {
  describe('when the URL carries a password', () => {
    it('should name the database and server without it', () => {
      const description = describeDatabase('postgresql://evp:s3cret@db.internal:6543/events');
      expect(description).toBe('database "events" on db.internal:6543');
      expect(description).not.toContain('s3cret');
    });
  });
});
