import { z } from 'zod';

/** Shortest API key accepted: 16 characters of a random hex or base64 key carry 64 bits or more. */
const MIN_API_KEY_LENGTH = 16;

/** RFC 6750 `b64token`: what a client can send after `Bearer ` in an Authorization header. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Problems with one entry of the list. Never the key itself: start-up errors are logged, and a key that is only
 * slightly wrong is still a secret.
 */
function problemOf(key: string, position: string): string | undefined {
  if (key === '') return `${position} is empty (a doubled or trailing comma?)`;
  if (key.length < MIN_API_KEY_LENGTH) {
    return `${position} has ${key.length} characters; each key needs at least ${MIN_API_KEY_LENGTH} (e.g. openssl rand -hex 32)`;
  }
  if (!BEARER_TOKEN.test(key)) {
    return `${position} may hold only letters, digits and - . _ ~ + / (then = padding), so that it can be sent as "Bearer <key>"`;
  }
  return undefined;
}

/**
 * A list of API keys, comma-separated (a file may hold one per line), each at least {@link MIN_API_KEY_LENGTH}
 * characters. Several keys are accepted at once so that a key can be rotated: add the new one, move the clients,
 * remove the old one. Unset gives no keys; set but empty is refused, since that is more likely a missing secret
 * than a wish to serve without authentication.
 */
export const apiKeyList = z
  .string()
  .optional()
  .transform((value, context): string[] => {
    if (value === undefined) return [];
    if (value.trim() === '') {
      context.addIssue({
        code: 'custom',
        message: 'is empty: give at least one key, or leave it unset to serve the reports without authentication',
      });
      return z.NEVER;
    }
    const keys = value
      .trim()
      .split(/,|\r?\n/)
      .map((key) => key.trim());
    for (const [index, key] of keys.entries()) {
      const problem = problemOf(key, `key ${index + 1} of ${keys.length}`);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    }
    return keys;
  });
