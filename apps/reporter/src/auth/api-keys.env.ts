import { secretList } from '@evp/config';

/**
 * The reporter's API keys: comma-separated (a file may hold one per line), each at least 16 characters and made of
 * what a client can send after `Bearer ` in an Authorization header (RFC 6750 `b64token`).
 */
export const apiKeyList = secretList({
  noun: 'key',
  allowed: /^[A-Za-z0-9\-._~+/]+=*$/,
  allowedHint: 'letters, digits and - . _ ~ + / (then = padding), so that it can be sent as "Bearer <key>"',
  unsetMeans: 'serve the reports without authentication',
});
