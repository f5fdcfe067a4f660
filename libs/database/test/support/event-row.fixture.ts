import type { MarketingEvent } from '@evp/contracts';
import { type EventRow, toDecimalAmount } from '@evp/database';

/**
 * A straightforward normaliser for the tests and the writer benchmark: every typed column straight from the
 * contract's shape. The collectors own the production normalisers.
 */
export function eventRowOf(event: MarketingEvent, correlationId: string | null = null): EventRow {
  const common = {
    eventId: event.eventId,
    occurredAt: event.timestamp,
    funnelStage: event.funnelStage,
    eventType: event.eventType,
    correlationId,
    raw: JSON.stringify(event),
  };
  if (event.source === 'facebook') {
    const { user } = event.data;
    const facebook = {
      ...common,
      source: event.source,
      userId: user.userId,
      userName: user.name,
      age: user.age,
      gender: user.gender,
      country: user.location.country,
      city: user.location.city,
    };
    if (event.funnelStage === 'top') {
      const { engagement } = event.data;
      return { ...facebook, referrer: engagement.referrer, videoId: engagement.videoId, actionTime: engagement.actionTime };
    }
    const { engagement } = event.data;
    return {
      ...facebook,
      campaignId: engagement.campaignId,
      adId: engagement.adId,
      clickPosition: engagement.clickPosition,
      device: engagement.device,
      browser: engagement.browser,
      purchaseAmount: toDecimalAmount(engagement.purchaseAmount),
    };
  }
  const { user } = event.data;
  const tiktok = { ...common, source: event.source, userId: user.userId, userName: user.username, followers: user.followers };
  if (event.funnelStage === 'top') {
    const { engagement } = event.data;
    return {
      ...tiktok,
      watchTime: engagement.watchTime,
      percentageWatched: engagement.percentageWatched,
      device: engagement.device,
      country: engagement.country,
      videoId: engagement.videoId,
    };
  }
  const { engagement } = event.data;
  return {
    ...tiktok,
    actionTime: engagement.actionTime,
    profileId: engagement.profileId,
    purchasedItem: engagement.purchasedItem,
    purchaseAmount: toDecimalAmount(engagement.purchaseAmount),
  };
}
