import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './gateway.config';

const TOKEN_A = '0123456789abcdef0123456789abcdef';
const TOKEN_B = 'rotated-in_token.0123~';

/** The problems of a configuration that does not load. */
function problemsOf(env: NodeJS.ProcessEnv): { variable: string; message: string }[] {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    return (error as { problems: { variable: string; message: string }[] }).problems;
  }
  throw new Error('the configuration loaded');
}

describe(loadGatewayConfig, () => {
  describe('when the environment is empty', () => {
    it('should pack 200 events a message, within 512 KiB', () => {
      expect(loadGatewayConfig({})).toMatchObject({ EVENTS_PER_MESSAGE: 200, MAX_MESSAGE_BYTES: 512 * 1024 });
    });
  });

  describe('when the packing variables are set', () => {
    it('should take valid values and name each bad one', () => {
      expect(loadGatewayConfig({ EVENTS_PER_MESSAGE: '50', MAX_MESSAGE_BYTES: '65536' })).toMatchObject({
        EVENTS_PER_MESSAGE: 50,
        MAX_MESSAGE_BYTES: 65_536,
      });
      expect(() => loadGatewayConfig({ EVENTS_PER_MESSAGE: '0' })).toThrow(/EVENTS_PER_MESSAGE/);
      expect(() => loadGatewayConfig({ EVENTS_PER_MESSAGE: '10001' })).toThrow(/EVENTS_PER_MESSAGE/);
      expect(() => loadGatewayConfig({ MAX_MESSAGE_BYTES: '100' })).toThrow(/MAX_MESSAGE_BYTES/);
    });
  });

  describe('when the security variables are unset', () => {
    it('should listen on loopback, open, with a 24 MiB body limit and bounded requests', () => {
      const config = loadGatewayConfig({});
      expect(config.METRICS_PORT).toBeUndefined();
      expect(config.WEBHOOK_HMAC_SECRET).toBeUndefined();
      expect(config).toMatchObject({
        HOST: '127.0.0.1',
        WEBHOOK_TOKENS: [],
        BODY_LIMIT_BYTES: 24 * 1024 * 1024,
        MAX_IN_FLIGHT_BYTES: 128 * 1024 * 1024,
        REQUEST_TIMEOUT_MS: 60_000,
        MAX_EVENTS_PER_BODY: 100_000,
        MAX_INVALID_EVENTS_DEAD_LETTERED: 1_000,
      });
    });
  });

  describe('when WEBHOOK_TOKENS and WEBHOOK_HMAC_SECRET are set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-config-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('should take several tokens for rotation, from the variable or its _FILE', () => {
      expect(loadGatewayConfig({ WEBHOOK_TOKENS: ` ${TOKEN_A}, ${TOKEN_B} ` }).WEBHOOK_TOKENS).toEqual([
        TOKEN_A,
        TOKEN_B,
      ]);
      const tokens = join(dir, 'tokens');
      writeFileSync(tokens, `${TOKEN_A}\n${TOKEN_B}\n`);
      const secret = join(dir, 'secret');
      writeFileSync(secret, 'hmac-secret-0123456789\n');
      expect(loadGatewayConfig({ WEBHOOK_TOKENS_FILE: tokens, WEBHOOK_HMAC_SECRET_FILE: secret })).toMatchObject({
        WEBHOOK_TOKENS: [TOKEN_A, TOKEN_B],
        WEBHOOK_HMAC_SECRET: 'hmac-secret-0123456789',
      });
    });

    it.each([
      ['', /is empty/],
      ['short', /token 1 of 1 has 5 characters/],
      [`${TOKEN_A},`, /token 2 of 2 is empty/],
      ['a+b/c=0123456789abcdef', /may hold only letters, digits and - \. _ ~/],
    ])('should refuse WEBHOOK_TOKENS=%j without echoing a token', (value, message) => {
      const problems = problemsOf({ WEBHOOK_TOKENS: value });
      expect(problems).toEqual([{ variable: 'WEBHOOK_TOKENS', message: expect.stringMatching(message) }]);
    });

    it('should refuse a short HMAC secret and an in-flight cap under the body limit', () => {
      expect(problemsOf({ WEBHOOK_HMAC_SECRET: 'short' })).toEqual([
        { variable: 'WEBHOOK_HMAC_SECRET', message: expect.stringMatching(/at least 16 characters/) },
      ]);
      expect(problemsOf({ BODY_LIMIT_BYTES: '2000', MAX_IN_FLIGHT_BYTES: '1000' })).toEqual([
        { variable: 'MAX_IN_FLIGHT_BYTES', message: expect.stringMatching(/at least BODY_LIMIT_BYTES \(2000\)/) },
      ]);
    });
  });

  describe('when the quota variables are unset or set', () => {
    it('should default to twice the real publisher peak, take 0 as off, and refuse negative values', () => {
      expect(loadGatewayConfig({})).toMatchObject({
        QUOTA_EVENTS_PER_SECOND: 50_000,
        QUOTA_BURST_EVENTS: 100_000,
        QUOTA_REPLICAS: 1,
      });
      expect(loadGatewayConfig({ QUOTA_EVENTS_PER_SECOND: '0', QUOTA_REPLICAS: '2' })).toMatchObject({
        QUOTA_EVENTS_PER_SECOND: 0,
        QUOTA_REPLICAS: 2,
      });
      expect(problemsOf({ QUOTA_BURST_EVENTS: '-1', QUOTA_REPLICAS: '0' }).map(({ variable }) => variable)).toEqual([
        'QUOTA_BURST_EVENTS',
        'QUOTA_REPLICAS',
      ]);
    });
  });
});
