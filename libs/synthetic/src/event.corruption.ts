import type { MarketingEvent } from '@evp/contracts';
import type { Random } from './random';

/**
 * The corruptions the real publisher appends to about 10% of its batches (shared/spec/PUBLISHER.md).
 * Like the real routine, a kind is applied whatever the event's source, so some leave the event valid
 * (a TikTok event has no `gender` to break) and some add foreign fields.
 */
export const CORRUPTION_KINDS = [
  'invalid-timestamp',
  'missing-event-id',
  'missing-user-name',
  'missing-user',
  'invalid-funnel-stage',
  'event-type-array',
  'negative-action-time',
  'negative-watch-time',
  'missing-ad-id',
  'missing-purchased-item',
  'alien-gender',
  'followers-not-a-number',
] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

type Json = Record<string, unknown>;

const record = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});

/** Returns a corrupted deep copy of the event; the original is left untouched. */
export function corruptEvent(event: MarketingEvent, kind: CorruptionKind): Json {
  const copy = structuredClone(event) as unknown as Json;
  const data = record(copy.data);
  const user = record(data.user);
  const engagement = record(data.engagement);
  switch (kind) {
    case 'invalid-timestamp':
      copy.timestamp = 'invalid-timestamp';
      break;
    case 'missing-event-id':
      delete copy.eventId;
      break;
    case 'missing-user-name':
      delete user[copy.source === 'facebook' ? 'name' : 'username'];
      break;
    case 'missing-user':
      delete data.user;
      break;
    case 'invalid-funnel-stage':
      copy.funnelStage = 'invalid-stage';
      break;
    case 'event-type-array':
      copy.eventType = ['unknown', 'event'];
      break;
    case 'negative-action-time':
      engagement.actionTime = -1;
      break;
    case 'negative-watch-time':
      engagement.watchTime = -1;
      break;
    case 'missing-ad-id':
      delete engagement.adId;
      break;
    case 'missing-purchased-item':
      delete engagement.purchasedItem;
      break;
    case 'alien-gender':
      user.gender = 'alien';
      break;
    case 'followers-not-a-number':
      user.followers = 'not-a-number';
      break;
  }
  return copy;
}

export function randomCorruption(event: MarketingEvent, random: Random): { kind: CorruptionKind; event: Json } {
  const kind = random.pick(CORRUPTION_KINDS);
  return { kind, event: corruptEvent(event, kind) };
}
