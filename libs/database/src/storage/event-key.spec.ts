import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventKeyOf, userKeyOf } from './event-key';

const UUID = '0b0e8f0a-1111-4222-8333-444455556666';

describe('eventKeyOf', () => {
  describe('when the id is the source prefix and a lower-case uuid', () => {
    it('should key it by the uuid and keep no text', () => {
      expect(eventKeyOf(`fb-${UUID}`, 'facebook')).toEqual({ key: UUID, text: null });
      expect(eventKeyOf(`ttk-${UUID}`, 'tiktok')).toEqual({ key: UUID, text: null });
    });
  });

  describe('when the id is anything else', () => {
    it('should key it by the md5 of its text and keep the text', () => {
      for (const [id, source] of [
        [`ttk-${UUID}`, 'facebook'],
        [`fb-${UUID.toUpperCase()}`, 'facebook'],
        ['evt-1', 'tiktok'],
        [UUID, 'tiktok'],
      ] as const) {
        const hex = createHash('md5').update(id).digest('hex');
        const stored = eventKeyOf(id, source);
        expect(stored.text).toBe(id);
        expect(stored.key.replaceAll('-', '')).toBe(hex);
        expect(stored.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }
    });

    it('should give different ids different keys and equal ids equal keys', () => {
      expect(eventKeyOf('a', 'tiktok').key).not.toBe(eventKeyOf('b', 'tiktok').key);
      expect(eventKeyOf('a', 'tiktok')).toEqual(eventKeyOf('a', 'tiktok'));
    });
  });
});

describe('userKeyOf', () => {
  it('should key a lower-case uuid by itself and any other id by its md5, keeping its text', () => {
    expect(userKeyOf(UUID)).toEqual({ key: UUID, text: null });
    expect(userKeyOf('Eliza92').text).toBe('Eliza92');
    expect(userKeyOf('Eliza92').key.replaceAll('-', '')).toBe(createHash('md5').update('Eliza92').digest('hex'));
  });
});
