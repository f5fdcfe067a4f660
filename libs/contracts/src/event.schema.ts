import { z } from 'zod';
import { EVENT_TYPES } from './event-taxonomy';

/*
 * Fields outside the contract are tolerated and left out of the typed event (Zod strips unknown keys):
 * publishers add fields over time, and the raw event as received is kept next to the typed columns,
 * so nothing is lost by ignoring them here.
 */

const MAX_ID_LENGTH = 128;
const MAX_TEXT_LENGTH = 256;

const id = z.string().trim().min(1, 'must not be empty').max(MAX_ID_LENGTH);
const text = z.string().max(MAX_TEXT_LENGTH);
const nonEmptyText = text.trim().min(1, 'must not be empty');
/** Instants PostgreSQL's timestamptz and JavaScript's ISO-8601 strings both hold: years 0001 to 9999 in UTC. */
const EARLIEST_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');
const isoDateTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 date-time, e.g. 2026-01-31T12:00:00.000Z' })
  .refine((value) => {
    const instant = Date.parse(value);
    // A string that is no date-time at all has its own issue already.
    return Number.isNaN(instant) || (instant >= EARLIEST_INSTANT && instant <= LATEST_INSTANT);
  }, 'must lie between years 0001 and 9999 in UTC (PostgreSQL has no year 0000)');

/** PostgreSQL `integer`, the column type of integer fields. */
const INT32_MAX = 2_147_483_647;

/** Money as a decimal string: non-negative, at most 10 integer digits and 2 decimals (fits numeric(12,2)). */
export const DECIMAL_AMOUNT_PATTERN = /^\d{1,10}(\.\d{1,2})?$/;
const purchaseAmount = z
  .string()
  .regex(DECIMAL_AMOUNT_PATTERN, 'must be a non-negative decimal string with at most 2 decimals, e.g. "19.99"')
  .nullable();

const envelope = {
  eventId: id,
  timestamp: isoDateTime,
};

const facebookUser = z.object({
  userId: id,
  name: nonEmptyText,
  age: z.number().int().min(0).max(150),
  gender: z.enum(['male', 'female', 'non-binary']),
  location: z.object({ country: nonEmptyText, city: nonEmptyText }),
});

const facebookTopEngagement = z.object({
  actionTime: isoDateTime,
  referrer: z.enum(['newsfeed', 'marketplace', 'groups']),
  videoId: id.nullable(),
});

const facebookBottomEngagement = z.object({
  adId: id,
  campaignId: id,
  clickPosition: z.enum(['top_left', 'bottom_right', 'center']),
  device: z.enum(['mobile', 'desktop']),
  browser: z.enum(['Chrome', 'Firefox', 'Safari']),
  purchaseAmount,
});

const tiktokUser = z.object({
  userId: id,
  username: nonEmptyText,
  followers: z.number().int().min(0).max(INT32_MAX, `must be at most ${INT32_MAX} (a PostgreSQL integer)`),
});

const tiktokTopEngagement = z.object({
  watchTime: z.number().min(0),
  percentageWatched: z.number().min(0).max(100),
  device: z.enum(['Android', 'iOS', 'Desktop']),
  country: nonEmptyText,
  videoId: id,
});

const tiktokBottomEngagement = z.object({
  actionTime: isoDateTime,
  profileId: id.nullable(),
  purchasedItem: text.nullable(),
  purchaseAmount,
});

const eventTypeError = (source: string, stage: string, types: readonly string[]) =>
  `must be a ${source} ${stage}-funnel event type: ${types.join(', ')}`;

export const facebookTopEventSchema = z.object({
  ...envelope,
  source: z.literal('facebook'),
  funnelStage: z.literal('top'),
  eventType: z.enum(EVENT_TYPES.facebook.top, eventTypeError('facebook', 'top', EVENT_TYPES.facebook.top)),
  data: z.object({ user: facebookUser, engagement: facebookTopEngagement }),
});

export const facebookBottomEventSchema = z.object({
  ...envelope,
  source: z.literal('facebook'),
  funnelStage: z.literal('bottom'),
  eventType: z.enum(EVENT_TYPES.facebook.bottom, eventTypeError('facebook', 'bottom', EVENT_TYPES.facebook.bottom)),
  data: z.object({ user: facebookUser, engagement: facebookBottomEngagement }),
});

export const tiktokTopEventSchema = z.object({
  ...envelope,
  source: z.literal('tiktok'),
  funnelStage: z.literal('top'),
  eventType: z.enum(EVENT_TYPES.tiktok.top, eventTypeError('tiktok', 'top', EVENT_TYPES.tiktok.top)),
  data: z.object({ user: tiktokUser, engagement: tiktokTopEngagement }),
});

export const tiktokBottomEventSchema = z.object({
  ...envelope,
  source: z.literal('tiktok'),
  funnelStage: z.literal('bottom'),
  eventType: z.enum(EVENT_TYPES.tiktok.bottom, eventTypeError('tiktok', 'bottom', EVENT_TYPES.tiktok.bottom)),
  data: z.object({ user: tiktokUser, engagement: tiktokBottomEngagement }),
});

const funnelStageError = { error: 'funnelStage must be "top" or "bottom"' };

export const facebookEventSchema = z.discriminatedUnion(
  'funnelStage',
  [facebookTopEventSchema, facebookBottomEventSchema],
  funnelStageError,
);
export const tiktokEventSchema = z.discriminatedUnion(
  'funnelStage',
  [tiktokTopEventSchema, tiktokBottomEventSchema],
  funnelStageError,
);

/** One event of either source: discriminated by `source`, then by `funnelStage`. */
export const marketingEventSchema = z.discriminatedUnion('source', [facebookEventSchema, tiktokEventSchema], {
  error: 'source must be "facebook" or "tiktok"',
});

export type FacebookTopEvent = z.output<typeof facebookTopEventSchema>;
export type FacebookBottomEvent = z.output<typeof facebookBottomEventSchema>;
export type TiktokTopEvent = z.output<typeof tiktokTopEventSchema>;
export type TiktokBottomEvent = z.output<typeof tiktokBottomEventSchema>;
export type FacebookEvent = z.output<typeof facebookEventSchema>;
export type TiktokEvent = z.output<typeof tiktokEventSchema>;
export type MarketingEvent = z.output<typeof marketingEventSchema>;
