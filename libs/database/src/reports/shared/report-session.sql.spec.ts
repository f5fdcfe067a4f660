import { type ClientBase } from 'pg';
import { describe, expect, it } from 'vitest';
import {
  beginReportSnapshot,
  exportReportSnapshot,
  joinReportSnapshot,
  setReportStatementTimeout,
} from './report-session.sql';

/** A connection that records the statements sent to it and answers `rows`. */
function recordingClient(rows: unknown[] = []) {
  const statements: string[] = [];
  const client = {
    query: (text: string) => {
      statements.push(text);
      return Promise.resolve({ rows });
    },
  } as unknown as ClientBase;
  return { client, statements };
}

const settings = { statementTimeoutMs: 9_500, workMemMb: 64 };
const BEGIN = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
const SETTINGS = "SET LOCAL statement_timeout = 9500; SET LOCAL work_mem = '64MB'; SET LOCAL jit = off";

describe(beginReportSnapshot, () => {
  describe('when parallel workers are allowed', () => {
    it('should begin and set the transaction up in one statement', async () => {
      const { client, statements } = recordingClient();
      await beginReportSnapshot(client, settings);
      expect(statements).toEqual([`${BEGIN}; ${SETTINGS}`]);
    });
  });

  describe('when parallel workers are turned off', () => {
    it('should also set max_parallel_workers_per_gather to 0', async () => {
      const { client, statements } = recordingClient();
      await beginReportSnapshot(client, { ...settings, parallelWorkers: false });
      expect(statements).toEqual([`${BEGIN}; ${SETTINGS}; SET LOCAL max_parallel_workers_per_gather = 0`]);
    });
  });
});

describe(exportReportSnapshot, () => {
  describe('when PostgreSQL answers a snapshot id', () => {
    it('should give it back', async () => {
      const { client } = recordingClient([{ id: '00000003-0000001B-1' }]);
      await expect(exportReportSnapshot(client)).resolves.toBe('00000003-0000001B-1');
    });
  });

  describe('when the answer is not shaped like a snapshot id', () => {
    it('should give nothing, so no connection joins', async () => {
      const { client } = recordingClient([{ id: "1-1'; DROP TABLE events; --" }]);
      await expect(exportReportSnapshot(client)).resolves.toBeUndefined();
    });
  });
});

describe(joinReportSnapshot, () => {
  describe('when given an exported snapshot id', () => {
    it('should begin in that snapshot with the same settings', async () => {
      const { client, statements } = recordingClient();
      await joinReportSnapshot(client, '00000003-0000001B-1', settings);
      expect(statements).toEqual([`${BEGIN}; SET TRANSACTION SNAPSHOT '00000003-0000001B-1'; ${SETTINGS}`]);
    });
  });

  describe('when given anything else', () => {
    it('should refuse it without sending a statement', async () => {
      const { client, statements } = recordingClient();
      await expect(joinReportSnapshot(client, "x'; SELECT 1; --", settings)).rejects.toThrow('not a snapshot id');
      expect(statements).toEqual([]);
    });
  });
});

describe(setReportStatementTimeout, () => {
  it('should lower statement_timeout for the rest of the transaction', async () => {
    const { client, statements } = recordingClient();
    await setReportStatementTimeout(client, 1_234);
    expect(statements).toEqual(['SET LOCAL statement_timeout = 1234']);
  });
});
