import { type EventNormaliser, UnstorableEventError } from '@evp/collector';
import { toDecimalAmount } from '@evp/database';

/** `followers` is a 32-bit integer column. */
const MAX_FOLLOWERS = 2_147_483_647;

/**
 * A TikTok event as a row of `events`: the username and follower count on every row; watch time, percentage
 * watched, device, country and video for the top funnel; action time, profile, purchased item and the purchase
 * amount (exact decimal text, never a float) for the bottom funnel. A follower count beyond the column's range
 * makes the event unstorable rather than silently wrong.
 */
export const normaliseTiktokEvent: EventNormaliser<'tiktok'> = (event, { extra, correlationId }) => {
  const { user } = event.data;
  if (user.followers > MAX_FOLLOWERS)
    throw new UnstorableEventError(`followers ${user.followers} exceeds ${MAX_FOLLOWERS}`);
  if (event.funnelStage === 'top') {
    const { engagement } = event.data;
    return {
      eventId: event.eventId,
      occurredAt: event.timestamp,
      source: 'tiktok',
      funnelStage: 'top',
      eventType: event.eventType,
      userId: user.userId,
      userName: user.username,
      followers: user.followers,
      watchTime: engagement.watchTime,
      percentageWatched: engagement.percentageWatched,
      device: engagement.device,
      country: engagement.country,
      videoId: engagement.videoId,
      correlationId,
      extra,
    };
  }
  const { engagement } = event.data;
  return {
    eventId: event.eventId,
    occurredAt: event.timestamp,
    source: 'tiktok',
    funnelStage: 'bottom',
    eventType: event.eventType,
    userId: user.userId,
    userName: user.username,
    followers: user.followers,
    actionTime: engagement.actionTime,
    profileId: engagement.profileId,
    purchasedItem: engagement.purchasedItem,
    purchaseAmount: toDecimalAmount(engagement.purchaseAmount),
    correlationId,
    extra,
  };
};
