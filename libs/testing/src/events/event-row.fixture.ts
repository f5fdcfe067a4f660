import type { MarketingEvent } from '@evp/contracts';
import { type EventRow, toDecimalAmount } from '@evp/database';

/** What a row takes from outside the event; a collector gets both from the message. */
export interface EventRowContext {
  /** The event's fields outside the contract as JSON text. @default null (none) */
  extra?: string | null;
  correlationId?: string | null;
  /** When the gateway received it, ISO-8601. @default null (unknown) */
  receivedAt?: string | null;
}

/**
 * A straightforward normaliser for tests and benchmarks: every typed column taken as it is from the contract's
 * shape, with no range checks (so values the table refuses reach the database). The collector apps own the
 * production normalisers, and their own tests check them.
 */
export function eventRowOf(
  event: MarketingEvent,
  { extra = null, correlationId = null, receivedAt = null }: EventRowContext = {},
): EventRow {
  const common = {
    eventId: event.eventId,
    occurredAt: event.timestamp,
    eventType: event.eventType,
    correlationId,
    receivedAt,
    extra,
  };
  if (event.source === 'facebook') {
    const { user } = event.data;
    const facebook = {
      ...common,
      source: event.source,
      funnelStage: event.funnelStage,
      userId: user.userId,
      userName: user.name,
      age: user.age,
      gender: user.gender,
      country: user.location.country,
      city: user.location.city,
    };
    if (event.funnelStage === 'top') {
      const { engagement } = event.data;
      return {
        ...facebook,
        referrer: engagement.referrer,
        videoId: engagement.videoId,
        actionTime: engagement.actionTime,
      };
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
  const tiktok = {
    ...common,
    source: event.source,
    funnelStage: event.funnelStage,
    userId: user.userId,
    userName: user.username,
    followers: user.followers,
  };
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
