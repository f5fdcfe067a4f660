import { UnstorableEventError } from '@evp/collector';
import { EVENT_TYPES, type TiktokEvent } from '@evp/contracts';
import { EventGenerator } from '@evp/synthetic';
import { describe, expect, it } from 'vitest';
import { normaliseTiktokEvent } from './tiktok-event.normaliser';

const context = { extra: '{"as":"received"}', correlationId: 'request-3' };

describe('normaliseTiktokEvent', () => {
  const generator = new EventGenerator({ seed: 12 });

  describe('when the event is a top-funnel event', () => {
    it('should fill the user, watch, device, country and video columns', () => {
      for (const type of EVENT_TYPES.tiktok.top) {
        const event = generator.tiktok(type) as Extract<TiktokEvent, { funnelStage: 'top' }>;
        expect(normaliseTiktokEvent(event, context)).toEqual({
          eventId: event.eventId,
          occurredAt: event.timestamp,
          source: 'tiktok',
          funnelStage: 'top',
          eventType: type,
          userId: event.data.user.userId,
          userName: event.data.user.username,
          followers: event.data.user.followers,
          watchTime: event.data.engagement.watchTime,
          percentageWatched: event.data.engagement.percentageWatched,
          device: event.data.engagement.device,
          country: event.data.engagement.country,
          videoId: event.data.engagement.videoId,
          correlationId: 'request-3',
          extra: context.extra,
        });
      }
    });
  });

  describe('when the event is a bottom-funnel event', () => {
    it('should fill the action time, profile, item and exact amount columns', () => {
      for (const type of EVENT_TYPES.tiktok.bottom) {
        const event = generator.tiktok(type) as Extract<TiktokEvent, { funnelStage: 'bottom' }>;
        const row = normaliseTiktokEvent(event, context);
        expect(row).toMatchObject({
          funnelStage: 'bottom',
          eventType: type,
          actionTime: event.data.engagement.actionTime,
          profileId: event.data.engagement.profileId,
          purchasedItem: event.data.engagement.purchasedItem,
          purchaseAmount: event.data.engagement.purchaseAmount,
        });
        expect(row).not.toHaveProperty('watchTime');
      }
    });
  });

  describe('when the follower count does not fit the column', () => {
    it('should refuse the event as unstorable', () => {
      const event = generator.tiktok('like');
      const huge = {
        ...event,
        data: { ...event.data, user: { ...event.data.user, followers: 2_147_483_648 } },
      } as TiktokEvent;
      expect(() => normaliseTiktokEvent(huge, context)).toThrow(UnstorableEventError);
      const largest = {
        ...event,
        data: { ...event.data, user: { ...event.data.user, followers: 2_147_483_647 } },
      } as TiktokEvent;
      expect(normaliseTiktokEvent(largest, context).followers).toBe(2_147_483_647);
    });
  });
});
