import { describe, expect, it } from 'vitest';
import { EventBatchWriteError, isTransactionRollback, sqlStateOf } from './database.errors';

describe(EventBatchWriteError, () => {
  describe('when PostgreSQL rejected the data (class 22)', () => {
    it('should not be retryable', () => {
      const error = new EventBatchWriteError('out of range', { cause: new Error('x'), sqlState: '22003' });
      expect(error).toMatchObject({
        retryable: false,
        code: 'DATABASE.INVALID_ROW',
        sqlState: '22003',
        name: 'EventBatchWriteError',
      });
    });
  });

  describe('when a row exceeded a PostgreSQL limit (class 54)', () => {
    it('should not be retryable', () => {
      const error = new EventBatchWriteError('index row too big', { cause: new Error('x'), sqlState: '54000' });
      expect(error).toMatchObject({ retryable: false, code: 'DATABASE.INVALID_ROW', sqlState: '54000' });
    });
  });

  describe('when the database could not be reached or gave up for its own reasons', () => {
    it('should be retryable', () => {
      for (const sqlState of [undefined, '57P01', '08006', '53300', '40P01', '42P01']) {
        expect(new EventBatchWriteError('down', { cause: null, sqlState })).toMatchObject({
          retryable: true,
          code: 'DATABASE.WRITE_FAILED',
        });
      }
    });
  });
});

describe('sqlStateOf', () => {
  describe('when the error comes from the server or from the socket', () => {
    it('should keep SQLSTATEs and ignore Node error codes', () => {
      expect(sqlStateOf(Object.assign(new Error('x'), { code: '23505' }))).toBe('23505');
      expect(sqlStateOf(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
      expect(sqlStateOf('text')).toBeUndefined();
    });
  });
});

describe('isTransactionRollback', () => {
  describe('when PostgreSQL asks for a retry', () => {
    it('should recognise deadlocks and serialization failures only', () => {
      expect(isTransactionRollback('40P01')).toBe(true);
      expect(isTransactionRollback('40001')).toBe(true);
      expect(isTransactionRollback('23505')).toBe(false);
    });
  });
});
