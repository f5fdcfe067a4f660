import { secretList } from '@evp/config';
import { z } from 'zod';

/**
 * Webhook tokens: comma-separated (a file may hold one per line), each at least 16 characters of RFC 3986's
 * unreserved set, so a token reads the same in a URL's query string (`?token=`) as in the `x-webhook-token` header.
 */
export const webhookTokenList = secretList({
  noun: 'token',
  allowed: /^[A-Za-z0-9\-._~]+$/,
  allowedHint: 'letters, digits and - . _ ~, so that it can be sent in a URL unescaped (e.g. openssl rand -hex 32)',
  unsetMeans: 'accept webhooks without a token',
});

/** The key of the publisher's HMAC-SHA256 body signatures; unset: signatures are not checked. */
export const webhookHmacSecret = z
  .string()
  .optional()
  .refine((value) => value === undefined || value.trim().length >= 16, {
    message: 'must hold at least 16 characters (e.g. openssl rand -hex 32), or be left unset',
  })
  .transform((value) => value?.trim());
