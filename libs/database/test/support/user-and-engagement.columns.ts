import type { EventRow } from '@evp/database';

/**
 * The user and engagement columns table `events` should hold for a row, by column name. A column the row
 * leaves out is stored as NULL, so it is expected as null.
 */
export function userAndEngagementColumnsOf(row: EventRow): Record<string, unknown> {
  return {
    user_id: row.userId,
    user_name: row.userName,
    age: row.age ?? null,
    gender: row.gender ?? null,
    country: row.country ?? null,
    city: row.city ?? null,
    followers: row.followers ?? null,
    campaign_id: row.campaignId ?? null,
    ad_id: row.adId ?? null,
    device: row.device ?? null,
    browser: row.browser ?? null,
    referrer: row.referrer ?? null,
    click_position: row.clickPosition ?? null,
    video_id: row.videoId ?? null,
    watch_time: row.watchTime ?? null,
    percentage_watched: row.percentageWatched ?? null,
    profile_id: row.profileId ?? null,
    purchased_item: row.purchasedItem ?? null,
  };
}
