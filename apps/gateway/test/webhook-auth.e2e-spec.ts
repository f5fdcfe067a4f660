import { createHmac } from 'node:crypto';
import { CORRELATION_ID_HEADER } from '@evp/contracts';
import { streamEventCount } from '@evp/testing';
import { EventGenerator } from '@evp/synthetic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookAuthenticator } from '../src/auth/webhook.authenticator';
import {
  type TestGateway,
  batchBody,
  metricValue,
  parseMetrics,
  postWebhook,
  startTestGateway,
} from './gateway.harness';

const OLD_TOKEN = 'old-token-0123456789abcdef';
const NEW_TOKEN = 'new-token-0123456789abcdef';
const SECRET = 'hmac-secret-0123456789abcdef';
const JSON_TYPE = { 'content-type': 'application/json' };
const signatureOf = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe(WebhookAuthenticator, () => {
  const generator = new EventGenerator({ seed: 1717 });
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ WEBHOOK_TOKENS: `${OLD_TOKEN},${NEW_TOKEN}`, WEBHOOK_HMAC_SECRET: SECRET });
  });

  afterAll(async () => {
    await gateway?.dispose();
  });

  const stored = () => streamEventCount(gateway.jsm, gateway.names.stream);
  const deadLetters = () => streamEventCount(gateway.jsm, gateway.names.deadLetterStream);
  const unauthorized = async (reason: string) => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    return metricValue(parseMetrics(text), 'gateway_requests_unauthorized_total', { reason });
  };

  /** Sends a request that must be refused, and checks the answer, the count and that nothing was stored. */
  async function expectRefused(
    send: (correlationId: string) => Promise<Awaited<ReturnType<typeof postWebhook>>>,
    reason: string,
    message: RegExp,
  ): Promise<void> {
    const [storedBefore, deadBefore, countBefore] = [await stored(), await deadLetters(), await unauthorized(reason)];
    const correlationId = `refused-${generator.random.uuid()}`;
    const answer = await send(correlationId);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: 'GATEWAY.UNAUTHORIZED',
      message: expect.stringMatching(message),
      correlationId,
    });
    expect(JSON.stringify(answer.body)).not.toContain(OLD_TOKEN.slice(0, 12));
    expect(await unauthorized(reason)).toBe(countBefore + 1);
    expect(await stored()).toBe(storedBefore);
    expect(await deadLetters()).toBe(deadBefore);
  }

  describe('when a request carries no credentials', () => {
    it('should refuse it with 401, counted as missing, before its body is parsed', async () => {
      // Malformed JSON would be a 400: the 401 shows the body was not parsed.
      await expectRefused(
        (correlationId) =>
          postWebhook(gateway.url, '[{"not json', { ...JSON_TYPE, [CORRELATION_ID_HEADER]: correlationId }),
        'missing',
        /no webhook credentials: send a token as \?token=<token> or "x-webhook-token: <token>" or "x-signature-256/,
      );
    });
  });

  describe('when the token is wrong', () => {
    it('should refuse it in the query and in the header, counted as invalid_token', async () => {
      const body = batchBody([generator.next()]);
      await expectRefused(
        (correlationId) =>
          postWebhook(
            gateway.url,
            body,
            { ...JSON_TYPE, [CORRELATION_ID_HEADER]: correlationId },
            `/webhook?token=${OLD_TOKEN}x`,
          ),
        'invalid_token',
        /the webhook token is not valid/,
      );
      await expectRefused(
        (correlationId) =>
          postWebhook(gateway.url, body, {
            ...JSON_TYPE,
            [CORRELATION_ID_HEADER]: correlationId,
            'x-webhook-token': 'rotated-out-token-0123456789',
          }),
        'invalid_token',
        /the webhook token is not valid/,
      );
    });
  });

  describe('when the signature is wrong', () => {
    it('should refuse a signature over a different body, a wrong key, or a malformed one, as invalid_signature', async () => {
      const body = batchBody([generator.next(), generator.next()]);
      for (const signature of [
        signatureOf(batchBody([generator.next()])),
        signatureOf(body, 'another-secret-0123456789'),
        'sha1=0123',
      ]) {
        await expectRefused(
          (correlationId) =>
            postWebhook(gateway.url, body, {
              ...JSON_TYPE,
              [CORRELATION_ID_HEADER]: correlationId,
              'x-signature-256': signature,
            }),
          'invalid_signature',
          /x-signature-256/,
        );
      }
    });

    it('should refuse a signed request without a body or content type', async () => {
      await expectRefused(
        async (correlationId) => {
          // No body and no content type: Fastify reads nothing and goes straight to the handler.
          const response = await fetch(`${gateway.url}/webhook`, {
            method: 'POST',
            headers: { [CORRELATION_ID_HEADER]: correlationId, 'x-signature-256': signatureOf('[]') },
          });
          return {
            status: response.status,
            headers: response.headers,
            body: (await response.json()) as Record<string, unknown>,
            elapsedMs: 0,
          };
        },
        'invalid_signature',
        /does not match the body/,
      );
    });
  });

  describe('when the credentials are right', () => {
    it.each([
      [
        'the old token in the query',
        (body: string) => ({ path: `/webhook?token=${OLD_TOKEN}`, headers: JSON_TYPE, body }),
      ],
      [
        'the new token in the query',
        (body: string) => ({ path: `/events?source=x&token=${NEW_TOKEN}`, headers: JSON_TYPE, body }),
      ],
      [
        'a token in the header',
        (body: string) => ({ path: '/webhook', headers: { ...JSON_TYPE, 'x-webhook-token': NEW_TOKEN }, body }),
      ],
      [
        'a valid signature',
        (body: string) => ({ path: '/webhook', headers: { ...JSON_TYPE, 'x-signature-256': signatureOf(body) }, body }),
      ],
    ])('should accept %s and store every event', async (_case, request) => {
      const events = Array.from({ length: 5 }, () => generator.next());
      const { path, headers, body } = request(batchBody(events));
      const before = await stored();
      const answer = await postWebhook(gateway.url, body, headers, path);
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ accepted: 5, rejected: 0 });
      expect(await stored()).toBe(before + 5);
    });
  });

  describe('when health and metrics are asked for', () => {
    it('should answer them without credentials', async () => {
      expect((await fetch(`${gateway.url}/health/liveness`)).status).toBe(200);
      expect((await fetch(`${gateway.url}/metrics`)).status).toBe(200);
    });
  });
});
