import { createHmac, timingSafeEqual } from 'node:crypto';
import { SecretMatcher } from '@evp/config';

/** Why a webhook request was refused, the `reason` label of `gateway_requests_unauthorized_total`. */
export const UNAUTHORIZED_REASONS = ['missing', 'invalid_token', 'invalid_signature'] as const;
export type UnauthorizedReason = (typeof UNAUTHORIZED_REASONS)[number];

/** Header holding a webhook token, for publishers that can set headers. */
export const WEBHOOK_TOKEN_HEADER = 'x-webhook-token';
/** Query parameter holding a webhook token, for publishers whose only setting is their endpoint URL. */
export const WEBHOOK_TOKEN_PARAMETER = 'token';
/** Header holding `sha256=<hex HMAC-SHA256 of the raw body>`, as GitHub's and Facebook's `X-Hub-Signature-256`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-signature-256';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** What is known about a request before its body is read. */
export type HeadCheck =
  | { verdict: 'accepted'; sender: string | undefined }
  | { verdict: 'signed' }
  | { verdict: 'refused'; reason: UnauthorizedReason; message: string };

/** What is known once the body is read (only asked of `signed` requests). */
export type BodyCheck =
  { verdict: 'accepted'; sender: string } | { verdict: 'refused'; reason: UnauthorizedReason; message: string };

export interface WebhookCredentials {
  /** `token` query parameter or `x-webhook-token` header, when either is sent. */
  token: string | undefined;
  /** `x-signature-256` header, when sent. */
  signature: string | undefined;
}

/**
 * Decides who may send webhooks. With tokens and a signing secret both configured, either is enough: a known token
 * (query or header), or a valid signature of the body. Nothing configured: every request is accepted, anonymous.
 *
 * A token is checked before the body is read; a signature only after, since it covers the raw bytes. Both compare
 * in constant time. Messages say what is missing or wrong, never a token or a signature.
 */
export class WebhookAuthVerifier {
  private readonly tokens: SecretMatcher;

  constructor(
    tokens: readonly string[],
    private readonly hmacSecret: string | undefined,
  ) {
    this.tokens = new SecretMatcher(tokens);
  }

  get enabled(): boolean {
    return this.tokens.enabled || this.hmacSecret !== undefined;
  }

  checkHead({ token, signature }: WebhookCredentials): HeadCheck {
    if (!this.enabled) return { verdict: 'accepted', sender: undefined };
    if (token !== undefined && this.tokens.enabled) {
      const index = this.tokens.indexOf(token);
      if (index !== -1) return { verdict: 'accepted', sender: `token-${index + 1}` };
    }
    if (signature !== undefined && this.hmacSecret !== undefined) return { verdict: 'signed' };
    if (token !== undefined && this.tokens.enabled) {
      return {
        verdict: 'refused',
        reason: 'invalid_token',
        message: `the webhook token is not valid (unknown, or rotated out): ${this.usage()}`,
      };
    }
    return { verdict: 'refused', reason: 'missing', message: `no webhook credentials: ${this.usage()}` };
  }

  checkBody(signature: string, body: Buffer): BodyCheck {
    const sent = SIGNATURE.exec(signature.trim())?.[1];
    if (sent === undefined) {
      return {
        verdict: 'refused',
        reason: 'invalid_signature',
        message: `the ${WEBHOOK_SIGNATURE_HEADER} header must be "sha256=" followed by 64 hexadecimal digits`,
      };
    }
    const expected = createHmac('sha256', this.hmacSecret ?? '')
      .update(body)
      .digest();
    if (timingSafeEqual(Buffer.from(sent, 'hex'), expected)) return { verdict: 'accepted', sender: 'signature' };
    return {
      verdict: 'refused',
      reason: 'invalid_signature',
      message: `the ${WEBHOOK_SIGNATURE_HEADER} signature does not match the body (HMAC-SHA256 of the raw body with the shared secret)`,
    };
  }

  private usage(): string {
    const ways: string[] = [];
    if (this.tokens.enabled)
      ways.push(`a token as ?${WEBHOOK_TOKEN_PARAMETER}=<token> or "${WEBHOOK_TOKEN_HEADER}: <token>"`);
    if (this.hmacSecret !== undefined) ways.push(`"${WEBHOOK_SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the body>"`);
    return `send ${ways.join(' or ')}`;
  }
}
