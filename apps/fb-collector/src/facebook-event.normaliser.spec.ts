import { EVENT_TYPES, type FacebookEvent } from '@evp/contracts';
import { EventGenerator } from '@evp/synthetic';
import { describe, expect, it } from 'vitest';
import { normaliseFacebookEvent } from './facebook-event.normaliser';

const context = { extra: '{"as":"received"}', correlationId: 'request-7' };

describe('normaliseFacebookEvent', () => {
  const generator = new EventGenerator({ seed: 11 });

  describe('when the event is a top-funnel event', () => {
    it('should fill the user, referrer, video and action time columns and no bottom-funnel ones', () => {
      for (const type of EVENT_TYPES.facebook.top) {
        const event = generator.facebook(type) as Extract<FacebookEvent, { funnelStage: 'top' }>;
        const row = normaliseFacebookEvent(event, context);
        expect(row).toEqual({
          eventId: event.eventId,
          occurredAt: event.timestamp,
          source: 'facebook',
          funnelStage: 'top',
          eventType: type,
          userId: event.data.user.userId,
          userName: event.data.user.name,
          age: event.data.user.age,
          gender: event.data.user.gender,
          country: event.data.user.location.country,
          city: event.data.user.location.city,
          referrer: event.data.engagement.referrer,
          videoId: event.data.engagement.videoId,
          actionTime: event.data.engagement.actionTime,
          correlationId: 'request-7',
          extra: context.extra,
        });
      }
    });
  });

  describe('when the event is a bottom-funnel event', () => {
    it('should fill the campaign, ad, click, device and browser columns', () => {
      for (const type of EVENT_TYPES.facebook.bottom) {
        const event = generator.facebook(type) as Extract<FacebookEvent, { funnelStage: 'bottom' }>;
        const row = normaliseFacebookEvent(event, context);
        expect(row).toMatchObject({
          funnelStage: 'bottom',
          eventType: type,
          campaignId: event.data.engagement.campaignId,
          adId: event.data.engagement.adId,
          clickPosition: event.data.engagement.clickPosition,
          device: event.data.engagement.device,
          browser: event.data.engagement.browser,
          purchaseAmount: event.data.engagement.purchaseAmount,
        });
        expect(row).not.toHaveProperty('referrer');
      }
    });
  });

  describe('when a checkout carries an amount', () => {
    it('should keep the amount as the exact decimal text', () => {
      const event = generator.facebook('checkout.complete') as Extract<FacebookEvent, { funnelStage: 'bottom' }>;
      for (const amount of ['0.10', '19.99', '9999999999.99', '7']) {
        const row = normaliseFacebookEvent(
          { ...event, data: { ...event.data, engagement: { ...event.data.engagement, purchaseAmount: amount } } },
          context,
        );
        expect(row.purchaseAmount).toBe(amount);
      }
    });
  });

  describe('when a bottom-funnel event has no amount', () => {
    it('should leave the amount null', () => {
      const event = generator.facebook('ad.click');
      expect(normaliseFacebookEvent(event, { extra: null, correlationId: null })).toMatchObject({
        purchaseAmount: null,
        correlationId: null,
      });
    });
  });
});
