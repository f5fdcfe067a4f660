import { type MarketingEvent } from '@evp/contracts';
import { type EventRow, toDecimalAmount } from '@evp/database';

/** The stored row of an event, as the collectors normalise it, for `EventBatchWriter.write`. */
export function toEventRow(event: MarketingEvent): EventRow {
  const base = {
    eventId: event.eventId,
    occurredAt: event.timestamp,
    source: event.source,
    funnelStage: event.funnelStage,
    eventType: event.eventType,
    userId: event.data.user.userId,
    raw: JSON.stringify(event),
  };
  if (event.source === 'facebook') {
    const { user } = event.data;
    const person = {
      userName: user.name,
      age: user.age,
      gender: user.gender,
      country: user.location.country,
      city: user.location.city,
    };
    if (event.funnelStage === 'top') {
      const { engagement } = event.data;
      return {
        ...base,
        ...person,
        actionTime: engagement.actionTime,
        referrer: engagement.referrer,
        videoId: engagement.videoId,
      };
    }
    const { engagement } = event.data;
    return {
      ...base,
      ...person,
      adId: engagement.adId,
      campaignId: engagement.campaignId,
      clickPosition: engagement.clickPosition,
      device: engagement.device,
      browser: engagement.browser,
      purchaseAmount: toDecimalAmount(engagement.purchaseAmount),
    };
  }
  const person = { userName: event.data.user.username, followers: event.data.user.followers };
  if (event.funnelStage === 'top') {
    const { engagement } = event.data;
    return {
      ...base,
      ...person,
      watchTime: engagement.watchTime,
      percentageWatched: engagement.percentageWatched,
      device: engagement.device,
      country: engagement.country,
      videoId: engagement.videoId,
    };
  }
  const { engagement } = event.data;
  return {
    ...base,
    ...person,
    actionTime: engagement.actionTime,
    profileId: engagement.profileId,
    purchasedItem: engagement.purchasedItem,
    purchaseAmount: toDecimalAmount(engagement.purchaseAmount),
  };
}
