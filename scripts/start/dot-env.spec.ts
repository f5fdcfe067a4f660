import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDotEnv } from './dot-env';

describe('loadDotEnv', () => {
  const directory = mkdtempSync(join(tmpdir(), 'evp-dotenv-'));

  describe('when the file exists', () => {
    it('should add its variables and leave the ones already set', () => {
      const path = join(directory, '.env');
      writeFileSync(path, '# comment\nNATS_URL=nats://from-file:4222\nLOG_LEVEL=debug\nQUOTED="a b"\n');
      const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn' };
      expect(loadDotEnv(path, env)).toEqual(['NATS_URL', 'QUOTED']);
      expect(env).toEqual({ LOG_LEVEL: 'warn', NATS_URL: 'nats://from-file:4222', QUOTED: 'a b' });
    });
  });

  describe('when there is no file', () => {
    it('should change nothing', () => {
      const env: NodeJS.ProcessEnv = {};
      expect(loadDotEnv(join(directory, 'missing.env'), env)).toEqual([]);
      expect(env).toEqual({});
    });
  });
});
