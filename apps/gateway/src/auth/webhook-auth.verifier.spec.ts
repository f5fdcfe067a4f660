import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookAuthVerifier } from './webhook-auth.verifier';

const OLD_TOKEN = 'old-token-0123456789abcdef';
const NEW_TOKEN = 'new-token-0123456789abcdef';
const SECRET = 'hmac-secret-0123456789abcdef';
const BODY = Buffer.from('[{"eventId":"e-1"}]');
const signatureOf = (body: Buffer, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe(WebhookAuthVerifier, () => {
  describe('when nothing is configured', () => {
    it('should accept every request, anonymous', () => {
      const verifier = new WebhookAuthVerifier([], undefined);
      expect(verifier.enabled).toBe(false);
      expect(verifier.checkHead({ token: undefined, signature: undefined })).toEqual({
        verdict: 'accepted',
        sender: undefined,
      });
    });
  });

  describe('when tokens are configured', () => {
    const verifier = new WebhookAuthVerifier([OLD_TOKEN, NEW_TOKEN], undefined);

    it('should accept either token and name it by position', () => {
      expect(verifier.checkHead({ token: OLD_TOKEN, signature: undefined })).toEqual({
        verdict: 'accepted',
        sender: 'token-1',
      });
      expect(verifier.checkHead({ token: NEW_TOKEN, signature: undefined })).toEqual({
        verdict: 'accepted',
        sender: 'token-2',
      });
    });

    it('should refuse a missing or wrong token without echoing it', () => {
      expect(verifier.checkHead({ token: undefined, signature: undefined })).toMatchObject({
        verdict: 'refused',
        reason: 'missing',
        message: expect.stringMatching(/\?token=<token> or "x-webhook-token: <token>"/),
      });
      const wrong = verifier.checkHead({ token: `${OLD_TOKEN}x`, signature: signatureOf(BODY) });
      expect(wrong).toMatchObject({ verdict: 'refused', reason: 'invalid_token' });
      expect(JSON.stringify(wrong)).not.toContain(OLD_TOKEN.slice(0, 12));
    });
  });

  describe('when a signing secret is configured', () => {
    const verifier = new WebhookAuthVerifier([], SECRET);

    it('should leave a signed request to the body check and accept the right signature', () => {
      expect(verifier.checkHead({ token: undefined, signature: signatureOf(BODY) })).toEqual({ verdict: 'signed' });
      expect(verifier.checkBody(signatureOf(BODY), BODY)).toEqual({ verdict: 'accepted', sender: 'signature' });
      expect(verifier.checkBody(signatureOf(BODY).toUpperCase().replace('SHA256', 'sha256'), BODY).verdict).toBe(
        'accepted',
      );
    });

    it.each([
      ['another body', signatureOf(Buffer.from('[]')), /does not match the body/],
      ['another secret', signatureOf(BODY, 'another-secret-0123456789'), /does not match the body/],
      ['no sha256= prefix', signatureOf(BODY).slice(7), /must be "sha256=" followed by 64 hexadecimal digits/],
      ['a short digest', 'sha256=abcd', /must be "sha256=" followed by 64 hexadecimal digits/],
    ])('should refuse a signature of %s', (_case, signature, message) => {
      expect(verifier.checkBody(signature, BODY)).toEqual({
        verdict: 'refused',
        reason: 'invalid_signature',
        message: expect.stringMatching(message),
      });
    });

    it('should refuse an unsigned request as missing', () => {
      expect(verifier.checkHead({ token: undefined, signature: undefined })).toMatchObject({
        verdict: 'refused',
        reason: 'missing',
        message: expect.stringMatching(/x-signature-256: sha256=/),
      });
    });
  });

  describe('when both are configured', () => {
    const verifier = new WebhookAuthVerifier([OLD_TOKEN], SECRET);

    it('should take a valid token alone, or a signature alone', () => {
      expect(verifier.checkHead({ token: OLD_TOKEN, signature: undefined }).verdict).toBe('accepted');
      expect(verifier.checkHead({ token: undefined, signature: signatureOf(BODY) }).verdict).toBe('signed');
      expect(verifier.checkHead({ token: 'wrong-token-0123456789', signature: signatureOf(BODY) }).verdict).toBe(
        'signed',
      );
    });
  });
});
