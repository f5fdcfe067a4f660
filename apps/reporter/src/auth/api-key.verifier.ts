import { SecretMatcher } from '@evp/config';
import { type UnauthenticatedReason } from './unauthenticated.error';

export type ApiKeyCheck = { ok: true } | { ok: false; reason: UnauthenticatedReason; message: string };

const USAGE = 'send "Authorization: Bearer <API key>"';

/**
 * Checks the `Authorization` header of a request against the configured API keys, in constant time: the sent key
 * is compared with every configured key whatever the outcome, so the answer time tells nothing about which key
 * came close. Messages say what is missing or wrong, never the key.
 */
export class ApiKeyVerifier {
  private readonly keys: SecretMatcher;

  constructor(keys: readonly string[]) {
    this.keys = new SecretMatcher(keys);
  }

  /** False when no key is configured: the reports are open. */
  get enabled(): boolean {
    return this.keys.enabled;
  }

  check(authorization: string | undefined): ApiKeyCheck {
    if (authorization === undefined || authorization.trim() === '') {
      return { ok: false, reason: 'missing', message: `no API key: ${USAGE}` };
    }
    const [scheme = '', key, ...rest] = authorization.trim().split(/ +/);
    // The scheme is not echoed: a client that forgot "Bearer " sent its key in its place.
    if (scheme.toLowerCase() !== 'bearer') {
      return {
        ok: false,
        reason: 'invalid',
        message: `the Authorization header does not use the Bearer scheme: ${USAGE}`,
      };
    }
    if (key === undefined || rest.length > 0) {
      return {
        ok: false,
        reason: 'invalid',
        message: `the Authorization header must hold one key after "Bearer": ${USAGE}`,
      };
    }
    if (this.keys.indexOf(key) !== -1) return { ok: true };
    return {
      ok: false,
      reason: 'invalid',
      message:
        'the API key is not valid (unknown, or rotated out): send a current key as "Authorization: Bearer <API key>"',
    };
  }
}
