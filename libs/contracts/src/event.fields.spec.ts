import { describe, expect, it } from 'vitest';
import { CONTRACT_FIELDS, extraFieldsOf } from './event.fields';

const facebookTop = {
  eventId: 'fb-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  source: 'facebook',
  funnelStage: 'top',
  eventType: 'ad.view',
  data: {
    user: { userId: 'u', name: 'N', age: 30, gender: 'male', location: { country: 'C', city: 'T' } },
    engagement: { actionTime: '2026-01-01T00:00:00.000Z', referrer: 'groups', videoId: null },
  },
};

describe(extraFieldsOf, () => {
  describe('when the event holds only the contract fields', () => {
    it('should find none', () => {
      expect(extraFieldsOf(facebookTop, 'facebook', 'top')).toBeUndefined();
    });
  });

  describe('when fields outside the contract sit at any depth', () => {
    it('should give them at their paths, with their values as they are', () => {
      const event = {
        ...facebookTop,
        campaign: { name: 'x' },
        data: {
          ...facebookTop.data,
          session: 7,
          user: { ...facebookTop.data.user, tier: null, location: { ...facebookTop.data.user.location, zip: '1' } },
        },
      };
      expect(extraFieldsOf(event, 'facebook', 'top')).toEqual({
        campaign: { name: 'x' },
        data: { session: 7, user: { tier: null, location: { zip: '1' } } },
      });
    });
  });

  describe('when a field belongs to another shape only', () => {
    it('should count it as outside the contract of this shape', () => {
      const event = {
        ...facebookTop,
        data: { ...facebookTop.data, engagement: { ...facebookTop.data.engagement, adId: 'a' } },
      };
      expect(extraFieldsOf(event, 'facebook', 'top')).toEqual({ data: { engagement: { adId: 'a' } } });
    });
  });
});

describe('CONTRACT_FIELDS', () => {
  it('should describe nested objects as trees and values as leaves', () => {
    expect(CONTRACT_FIELDS.tiktok.bottom).toEqual({
      eventId: true,
      timestamp: true,
      source: true,
      funnelStage: true,
      eventType: true,
      data: {
        user: { userId: true, username: true, followers: true },
        engagement: { actionTime: true, profileId: true, purchasedItem: true, purchaseAmount: true },
      },
    });
  });
});
