import { describe, expect, it } from 'vitest';
import { ApiKeyVerifier } from './api-key.verifier';

const OLD_KEY = 'old-key-0123456789abcdef';
const NEW_KEY = 'new-key-0123456789abcdef';

describe(ApiKeyVerifier, () => {
  const verifier = new ApiKeyVerifier([OLD_KEY, NEW_KEY]);

  describe('when no key is configured', () => {
    it('should be disabled', () => {
      expect(new ApiKeyVerifier([]).enabled).toBe(false);
      expect(verifier.enabled).toBe(true);
    });
  });

  describe('when the header holds one of the keys', () => {
    it.each([`Bearer ${OLD_KEY}`, `Bearer ${NEW_KEY}`, `bearer ${NEW_KEY}`, `  BEARER   ${OLD_KEY}  `])(
      'should accept %j',
      (header) => {
        expect(verifier.check(header)).toEqual({ ok: true });
      },
    );
  });

  describe('when the header is absent or empty', () => {
    it.each([undefined, '', '   '])('should refuse %j as missing and say how to send a key', (header) => {
      expect(verifier.check(header)).toEqual({
        ok: false,
        reason: 'missing',
        message: 'no API key: send "Authorization: Bearer <API key>"',
      });
    });
  });

  describe('when the header is wrong', () => {
    it.each([
      [`Basic ${OLD_KEY}`, /does not use the Bearer scheme/],
      [OLD_KEY, /does not use the Bearer scheme/],
      ['Bearer', /must hold one key after "Bearer"/],
      [`Bearer ${OLD_KEY} ${NEW_KEY}`, /must hold one key after "Bearer"/],
      [`Bearer ${OLD_KEY}x`, /the API key is not valid/],
      [`Bearer ${OLD_KEY.slice(0, -1)}`, /the API key is not valid/],
      ['Bearer rotated-out-key-0000000000', /the API key is not valid/],
    ])('should refuse %j as invalid without echoing the key', (header, message) => {
      const check = verifier.check(header);
      expect(check).toEqual({ ok: false, reason: 'invalid', message: expect.stringMatching(message) });
      expect(JSON.stringify(check)).not.toContain(OLD_KEY.slice(0, 12));
    });
  });
});
