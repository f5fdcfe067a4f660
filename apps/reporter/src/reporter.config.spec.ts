import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReporterConfig } from './reporter.config';

const KEY_A = 'a'.repeat(16);
const KEY_B = '0123456789abcdef0123456789abcdef';

/** The problems of a configuration that does not load, as `variable: message` lines. */
function problemsOf(env: NodeJS.ProcessEnv): { variable: string; message: string }[] {
  try {
    loadReporterConfig(env);
  } catch (error) {
    expect(error).toMatchObject({ name: 'ConfigValidationError', code: 'CONFIG.INVALID' });
    return (error as { problems: { variable: string; message: string }[] }).problems;
  }
  throw new Error('the configuration loaded');
}

describe(loadReporterConfig, () => {
  const dir = mkdtempSync(join(tmpdir(), 'reporter-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  describe('when nothing is set', () => {
    it('should serve the reports without keys, with a 10 s deadline and room for the indexer and readiness', () => {
      expect(loadReporterConfig({})).toMatchObject({
        REPORTER_API_KEYS: [],
        REPORT_STATEMENT_TIMEOUT_MS: 10_000,
        REPORT_POOL_SIZE: 8,
        REPORT_MAX_CONCURRENT: 6,
        REPORT_MAX_QUEUED: 64,
        REPORT_RETRY_AFTER_SECONDS: 5,
      });
    });
  });

  describe('when REPORTER_API_KEYS holds several keys', () => {
    it('should accept them all, trimmed, for rotation', () => {
      expect(loadReporterConfig({ REPORTER_API_KEYS: ` ${KEY_A} , ${KEY_B}` }).REPORTER_API_KEYS).toEqual([
        KEY_A,
        KEY_B,
      ]);
    });

    it('should accept base64 keys with padding', () => {
      const key = 'dGhpcyBpcyBhIGtleSE+/w==';
      expect(loadReporterConfig({ REPORTER_API_KEYS: key }).REPORTER_API_KEYS).toEqual([key]);
    });
  });

  describe('when REPORTER_API_KEYS is malformed', () => {
    it.each([
      ['an empty value', '', /is empty/],
      ['only spaces', '   ', /is empty/],
      ['an empty entry', `${KEY_A},,${KEY_B}`, /key 2 of 3 is empty/],
      ['a trailing comma', `${KEY_A},`, /key 2 of 2 is empty/],
      ['a short key', `${KEY_A},short-key`, /key 2 of 2 has 9 characters; each key needs at least 16/],
      ['a key with a space inside', 'abcdefgh ijklmnopq', /key 1 of 1 may hold only/],
      ['a key with a quote', `${KEY_A}"`, /key 1 of 1 may hold only/],
    ])('should refuse %s and name REPORTER_API_KEYS without printing the key', (_case, value, message) => {
      const problems = problemsOf({ REPORTER_API_KEYS: value });
      expect(problems.map((problem) => problem.variable)).toEqual(['REPORTER_API_KEYS']);
      expect(problems[0]!.message).toMatch(message);
      for (const key of value.split(',').filter((key) => key.trim().length > 0)) {
        expect(problems[0]!.message).not.toContain(key.trim());
      }
    });

    it('should name every bad entry', () => {
      const problems = problemsOf({ REPORTER_API_KEYS: `short,${KEY_A},,` });
      expect(problems.map((problem) => problem.message)).toEqual([
        expect.stringMatching(/^key 1 of 4 has 5 characters/),
        expect.stringMatching(/^key 3 of 4 is empty/),
        expect.stringMatching(/^key 4 of 4 is empty/),
      ]);
    });
  });

  describe('when REPORTER_API_KEYS_FILE names a file', () => {
    it('should read the keys from it, comma- or line-separated, ignoring the final line break', () => {
      expect(loadReporterConfig({ REPORTER_API_KEYS_FILE: file('keys-lines', `${KEY_A}\n${KEY_B}\n`) })).toMatchObject({
        REPORTER_API_KEYS: [KEY_A, KEY_B],
      });
      expect(
        loadReporterConfig({ REPORTER_API_KEYS_FILE: file('keys-commas', `${KEY_A},${KEY_B}\r\n`) }),
      ).toMatchObject({ REPORTER_API_KEYS: [KEY_A, KEY_B] });
    });

    it('should name REPORTER_API_KEYS_FILE when the keys in the file are bad', () => {
      const problems = problemsOf({ REPORTER_API_KEYS_FILE: file('keys-short', 'too-short\n') });
      expect(problems).toEqual([
        { variable: 'REPORTER_API_KEYS_FILE', message: expect.stringMatching(/key 1 of 1 has 9 characters/) },
      ]);
    });

    it('should refuse an empty file', () => {
      expect(problemsOf({ REPORTER_API_KEYS_FILE: file('keys-empty', '\n') })).toEqual([
        { variable: 'REPORTER_API_KEYS_FILE', message: expect.stringMatching(/is empty/) },
      ]);
    });

    it('should refuse a file that cannot be read', () => {
      expect(problemsOf({ REPORTER_API_KEYS_FILE: join(dir, 'no-such-file') })).toEqual([
        { variable: 'REPORTER_API_KEYS_FILE', message: expect.stringMatching(/cannot read .*no-such-file \(ENOENT\)/) },
      ]);
    });

    it('should refuse REPORTER_API_KEYS set as well', () => {
      expect(problemsOf({ REPORTER_API_KEYS: KEY_A, REPORTER_API_KEYS_FILE: file('keys-both', KEY_B) })).toEqual([
        {
          variable: 'REPORTER_API_KEYS_FILE',
          message: 'set either REPORTER_API_KEYS or REPORTER_API_KEYS_FILE, not both',
        },
      ]);
    });
  });

  describe('when REPORT_MAX_CONCURRENT is unset', () => {
    it.each([
      ['8', 6],
      ['3', 1],
      ['1', 1],
    ])('should leave two of REPORT_POOL_SIZE=%s connections free, and allow at least one report', (pool, expected) => {
      expect(loadReporterConfig({ REPORT_POOL_SIZE: pool }).REPORT_MAX_CONCURRENT).toBe(expected);
    });
  });

  describe('when the report limits are set', () => {
    it('should take them as given', () => {
      expect(
        loadReporterConfig({
          REPORT_MAX_CONCURRENT: '8',
          REPORT_MAX_QUEUED: '0',
          REPORT_STATEMENT_TIMEOUT_MS: '250',
          REPORT_RETRY_AFTER_SECONDS: '1',
        }),
      ).toMatchObject({
        REPORT_MAX_CONCURRENT: 8,
        REPORT_MAX_QUEUED: 0,
        REPORT_STATEMENT_TIMEOUT_MS: 250,
        REPORT_RETRY_AFTER_SECONDS: 1,
      });
    });

    it('should refuse more concurrent reports than connections, and bad numbers, naming each variable', () => {
      expect(problemsOf({ REPORT_POOL_SIZE: '4', REPORT_MAX_CONCURRENT: '5' })).toEqual([
        { variable: 'REPORT_MAX_CONCURRENT', message: expect.stringMatching(/must not exceed REPORT_POOL_SIZE \(4\)/) },
      ]);
      expect(
        problemsOf({ REPORT_MAX_CONCURRENT: '0', REPORT_MAX_QUEUED: '-1', REPORT_RETRY_AFTER_SECONDS: '1.5' })
          .map((problem) => problem.variable)
          .sort(),
      ).toEqual(['REPORT_MAX_CONCURRENT', 'REPORT_MAX_QUEUED', 'REPORT_RETRY_AFTER_SECONDS']);
    });
  });
});
