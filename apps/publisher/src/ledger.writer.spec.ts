import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PreparedBatch } from './batch.factory';
import { LedgerError, LedgerWriter, ledgerPaths } from './ledger.writer';

const dir = mkdtempSync(join(tmpdir(), 'ledger-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const batch = (validIds: string[], corruption?: PreparedBatch['corruption']): PreparedBatch => ({
  seq: 1,
  body: Buffer.from('[]'),
  eventCount: validIds.length + (corruption ? 1 : 0),
  validIds,
  duplicateCount: 0,
  corruption,
});

describe('LedgerWriter', () => {
  describe('when batches are recorded', () => {
    it('should split ids by fate and list corruptions with their verdict', async () => {
      const path = join(dir, 'run.txt');
      const ledger = await LedgerWriter.open(path);
      ledger.record(batch(['fb-1', 'ttk-2']), true);
      ledger.record(batch(['fb-3'], { kind: 'missing-event-id', valid: false }), false);
      ledger.record(batch(['ttk-4', 'fb-1', 'fb-5'], { kind: 'alien-gender', eventId: 'fb-5', valid: true }), true);
      await ledger.close();

      const paths = ledgerPaths(path);
      expect(readFileSync(paths.acknowledged, 'utf8')).toBe('fb-1\nttk-2\nttk-4\nfb-1\nfb-5\n');
      expect(readFileSync(paths.unacknowledged, 'utf8')).toBe('fb-3\n');
      expect(readFileSync(paths.corrupted, 'utf8')).toBe(
        '-\tmissing-event-id\tinvalid\tunacked\nfb-5\talien-gender\tvalid\tacked\n',
      );
    });
  });

  describe('when the files already exist', () => {
    it('should start them afresh', async () => {
      const path = join(dir, 'again.txt');
      for (const id of ['first', 'second']) {
        const ledger = await LedgerWriter.open(path);
        ledger.record(batch([id]), true);
        await ledger.close();
      }
      expect(readFileSync(path, 'utf8')).toBe('second\n');
    });
  });

  describe('when the files cannot be created', () => {
    it('should fail at open with a LedgerError', async () => {
      await expect(LedgerWriter.open(join(dir, 'missing-dir', 'ledger.txt'))).rejects.toBeInstanceOf(LedgerError);
    });
  });
});
