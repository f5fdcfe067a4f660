import type { EventNormaliser } from '@evp/collector';
import { toDecimalAmount } from '@evp/database';

/**
 * A Facebook event as a row of `events`: the user's name, age, gender and location on every row; the referrer,
 * video and action time for the top funnel; the campaign, ad, click position, device, browser and the purchase
 * amount (exact decimal text, never a float) for the bottom funnel.
 */
export const normaliseFacebookEvent: EventNormaliser<'facebook'> = (event, { extra, correlationId }) => {
  const { user } = event.data;
  if (event.funnelStage === 'top') {
    const { engagement } = event.data;
    return {
      eventId: event.eventId,
      occurredAt: event.timestamp,
      source: 'facebook',
      funnelStage: 'top',
      eventType: event.eventType,
      userId: user.userId,
      userName: user.name,
      age: user.age,
      gender: user.gender,
      country: user.location.country,
      city: user.location.city,
      referrer: engagement.referrer,
      videoId: engagement.videoId,
      actionTime: engagement.actionTime,
      correlationId,
      extra,
    };
  }
  const { engagement } = event.data;
  return {
    eventId: event.eventId,
    occurredAt: event.timestamp,
    source: 'facebook',
    funnelStage: 'bottom',
    eventType: event.eventType,
    userId: user.userId,
    userName: user.name,
    age: user.age,
    gender: user.gender,
    country: user.location.country,
    city: user.location.city,
    campaignId: engagement.campaignId,
    adId: engagement.adId,
    clickPosition: engagement.clickPosition,
    device: engagement.device,
    browser: engagement.browser,
    purchaseAmount: toDecimalAmount(engagement.purchaseAmount),
    correlationId,
    extra,
  };
};
