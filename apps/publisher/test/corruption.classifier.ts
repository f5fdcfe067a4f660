import type { CorruptionKind } from '@evp/synthetic';

type Json = Record<string, unknown>;
const record = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});

/**
 * Names the corruption an event shows by its shape alone, independently of the emulator's code.
 * `unchanged` is an event that carries no visible mark: a kind that removes a field the event's
 * shape does not have (`missing-ad-id` on a TikTok event) leaves it as it was.
 */
export function classifyCorruption(event: Json): CorruptionKind | 'unchanged' {
  const data = record(event.data);
  const user = record(data.user);
  const engagement = record(data.engagement);
  if (event.timestamp === 'invalid-timestamp') return 'invalid-timestamp';
  if (!('eventId' in event)) return 'missing-event-id';
  if (!('user' in data)) return 'missing-user';
  if (event.source === 'facebook' && !('name' in user)) return 'missing-user-name';
  if (event.source === 'tiktok' && !('username' in user)) return 'missing-user-name';
  if (event.funnelStage === 'invalid-stage') return 'invalid-funnel-stage';
  if (Array.isArray(event.eventType)) return 'event-type-array';
  if (engagement.actionTime === -1) return 'negative-action-time';
  if (engagement.watchTime === -1) return 'negative-watch-time';
  if (event.source === 'facebook' && event.funnelStage === 'bottom' && !('adId' in engagement)) return 'missing-ad-id';
  if (event.source === 'tiktok' && event.funnelStage === 'bottom' && !('purchasedItem' in engagement))
    return 'missing-purchased-item';
  if (user.gender === 'alien') return 'alien-gender';
  if (user.followers === 'not-a-number') return 'followers-not-a-number';
  return 'unchanged';
}
