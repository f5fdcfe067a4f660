import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, ServiceProcess } from '@evp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyGuard } from '../src/auth/api-key.guard';
import { API_KEY_SCHEME } from '../src/openapi/openapi.document';
import { expectedDemographicsReport, expectedEventsReport, expectedRevenueReport } from './support/expected-reports';
import { buildReportDataset } from './support/report-dataset';
import { metricValue } from './support/metric-value';
import { type ReporterFixture, startReporterFixture } from './support/reporter.fixture';

/** Two keys at once, as during a rotation. */
const OLD_KEY = 'old-reporter-key-6f1c2a9d8e7b4c3a';
const NEW_KEY = 'new-reporter-key-0b9e8d7c6a5f4e3d';
/** Looks like a key, is none: must not show up in logs either. */
const FORGED_KEY = 'forged-reporter-key-1a2b3c4d5e6f';
const LIMITS = { campaigns: 4, countries: 3, cities: 3 };
const REPORT_PATHS = ['/reports/events', '/reports/revenue', '/reports/demographics'] as const;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const run = promisify(execFile);

describe(ApiKeyGuard, () => {
  let fixture: ReporterFixture;

  beforeAll(async () => {
    fixture = await startReporterFixture(buildReportDataset(200, 41), {
      REPORTER_API_KEYS: `${OLD_KEY},${NEW_KEY}`,
      REPORT_TOP_CAMPAIGNS: String(LIMITS.campaigns),
      REPORT_TOP_COUNTRIES: String(LIMITS.countries),
      REPORT_TOP_CITIES: String(LIMITS.cities),
    });
  });

  afterAll(async () => {
    await fixture?.close();
  });

  const unauthorized = async (reason: 'missing' | 'invalid') =>
    metricValue(String((await fixture.get('/metrics')).body), 'reporter_requests_unauthorized_total', { reason });

  describe('when a report is asked for without a key', () => {
    it.each(REPORT_PATHS)('should answer %s with 401, a Bearer challenge and what to send', async (path) => {
      const before = await unauthorized('missing');
      const { status, body, headers } = await fixture.get(path);
      expect(status).toBe(401);
      expect(headers.get('www-authenticate')).toBe('Bearer');
      expect(headers.get('x-correlation-id')).toBeTruthy();
      expect(body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'no API key: send "Authorization: Bearer <API key>"',
      });
      expect(await unauthorized('missing')).toBe(before + 1);
    });

    it('should refuse before reading the parameters', async () => {
      const { status } = await fixture.get('/reports/events', { source: 'myspace' });
      expect(status).toBe(401);
    });
  });

  describe('when the key is wrong', () => {
    it.each([
      ['an unknown key', `Bearer ${FORGED_KEY}`, /the API key is not valid/],
      ['a key cut short', `Bearer ${OLD_KEY.slice(0, -1)}`, /the API key is not valid/],
      ['another scheme', `Basic ${OLD_KEY}`, /does not use the Bearer scheme/],
      ['the key without its scheme', NEW_KEY, /does not use the Bearer scheme/],
      ['no key after Bearer', 'Bearer', /must hold one key after "Bearer"/],
    ])('should answer 401 to %s and count it', async (_case, authorization, message) => {
      const before = await unauthorized('invalid');
      const { status, body, headers } = await fixture.get('/reports/revenue', {}, { authorization });
      expect(status).toBe(401);
      expect(headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(message) });
      expect(JSON.stringify(body)).not.toContain(OLD_KEY.slice(0, 16));
      expect(await unauthorized('invalid')).toBe(before + 1);
    });

    it('should say so in the challenge', async () => {
      const { headers } = await fixture.get('/reports/events', {}, bearer(FORGED_KEY));
      expect(headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });
  });

  describe('when either of the rotated keys is sent', () => {
    it.each([OLD_KEY, NEW_KEY])('should answer every report with the same body as an open reporter', async (key) => {
      const answers = await Promise.all(REPORT_PATHS.map((path) => fixture.get(path, {}, bearer(key))));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(answers.map((answer) => answer.body)).toEqual([
        expectedEventsReport(fixture.events, {}),
        expectedRevenueReport(fixture.events, {}, LIMITS.campaigns),
        expectedDemographicsReport(fixture.events, {}, LIMITS),
      ]);
    });

    it('should still validate the parameters', async () => {
      const { status, body } = await fixture.get('/reports/events', { source: 'myspace' }, bearer(NEW_KEY));
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'Bad Request', issues: [{ parameter: 'source' }] });
    });
  });

  describe('when health, metrics or the API docs are asked for without a key', () => {
    it.each(['/health/liveness', '/health/readiness', '/metrics', '/api/docs', '/api/docs-json'])(
      'should answer %s',
      async (path) => {
        expect((await fixture.get(path)).status).toBe(200);
      },
    );
  });

  describe('when the OpenAPI document is read', () => {
    interface Response {
      headers?: Record<string, unknown>;
      content: { 'application/json': { schema: { $ref: string } } };
    }
    interface Document {
      paths: Record<string, { get: { security?: unknown; responses: Record<string, Response> } }>;
      components: {
        securitySchemes: Record<string, { type: string; scheme: string }>;
        schemas: Record<string, { required?: string[] }>;
      };
    }

    it('should declare the bearer scheme on every report, with its 401 and the 503 Retry-After', async () => {
      const document = (await fixture.get('/api/docs-json')).body as Document;
      expect(document.components.securitySchemes[API_KEY_SCHEME]).toMatchObject({ type: 'http', scheme: 'bearer' });
      for (const path of REPORT_PATHS) {
        const { security, responses } = document.paths[path]!.get;
        expect(security, path).toEqual([{ [API_KEY_SCHEME]: [] }]);
        expect(responses['401']!.content['application/json'].schema.$ref).toBe('#/components/schemas/Unauthorized');
        expect(Object.keys(responses['401']!.headers ?? {})).toEqual(['WWW-Authenticate']);
        expect(Object.keys(responses['503']!.headers ?? {})).toEqual(['Retry-After']);
      }
      expect(document.components.schemas.Unauthorized!.required).toEqual(['statusCode', 'error', 'message']);
    });

    it('should let the Swagger UI keep the key it was given', async () => {
      const { status, body } = await fixture.get('/api/docs/swagger-ui-init.js');
      expect(status).toBe(200);
      expect(String(body)).toMatch(/"persistAuthorization":\s*true/);
    });
  });

  describe('when the reporter runs as a process with its keys in a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reporter-keys-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const start = (env: Record<string, string>) =>
      ServiceProcess.start('reporter', {
        env: {
          DATABASE_URL: fixture.config.DATABASE_URL,
          MIGRATE_ON_START: 'false',
          DEMOGRAPHICS_INDEXER: 'false',
          ...env,
        },
        readyTimeoutMs: 30_000,
      });

    it('should serve with the keys of the file and never log a key, even at trace level', async () => {
      const keysFile = join(dir, 'keys');
      writeFileSync(keysFile, `${OLD_KEY}\n${NEW_KEY}\n`);
      const reporter = await start({ REPORTER_API_KEYS_FILE: keysFile, LOG_LEVEL: 'trace' });
      try {
        const statuses: number[] = [];
        for (const authorization of [`Bearer ${NEW_KEY}`, `Bearer ${FORGED_KEY}`, `Basic ${OLD_KEY}`, OLD_KEY]) {
          const response = await fetch(`${reporter.url}/reports/revenue?source=myspace`, {
            headers: { authorization },
          });
          await response.arrayBuffer();
          statuses.push(response.status);
        }
        expect(statuses).toEqual([400, 401, 401, 401]);
        // The request lines are there, so their absence of keys means something.
        await reporter.waitForLog((line) => JSON.stringify(line).includes('"statusCode":401'), 10_000);
        const logs = JSON.stringify(reporter.logs);
        expect(logs).toContain('/reports/revenue?source=myspace');
        for (const key of [OLD_KEY, NEW_KEY, FORGED_KEY]) expect(logs).not.toContain(key);
      } finally {
        await reporter.stop();
      }
    });

    it('should refuse to start with a bad key, naming the variable and not the key', async () => {
      const failure = await run(process.execPath, [join(REPO_ROOT, 'apps/reporter/dist/main.js')], {
        env: { ...process.env, REPORTER_API_KEYS: `${OLD_KEY},tooshortkey` },
        timeout: 30_000,
      }).catch((caught: unknown) => caught as { code: number; stdout: string; stderr: string });
      expect(failure).toMatchObject({ code: 1 });
      const { stdout, stderr } = failure;
      expect(stderr).toMatch(/REPORTER_API_KEYS: key 2 of 2 has 11 characters; each key needs at least 16/);
      for (const output of [stdout, stderr]) {
        expect(output).not.toContain('tooshortkey');
        expect(output).not.toContain(OLD_KEY);
      }
    });
  });
});
