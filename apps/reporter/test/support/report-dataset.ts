import { type FacebookEvent, type MarketingEvent, type Source, type TiktokEvent, validateEvent } from '@evp/contracts';
import { eventKeyOf } from '@evp/database';
import { EventGenerator, Random } from '@evp/synthetic';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** 2026-03-10T00:00:00Z: the dataset lies around it, from two hours before to two days after. */
export const T0 = Date.UTC(2026, 2, 10);

/** Instants where splitting a range into tiers goes wrong: bucket starts, their last millisecond, and inside. */
export const BOUNDARY_INSTANTS = [
  T0 - HOUR,
  T0 - 1,
  T0,
  T0 + 1,
  T0 + MINUTE - 1,
  T0 + MINUTE,
  T0 + 10 * MINUTE + 30_000,
  T0 + HOUR - 1,
  T0 + HOUR,
  T0 + HOUR + MINUTE,
  T0 + 2 * HOUR + 30 * MINUTE + 15_000,
  T0 + 3 * HOUR + 5 * MINUTE,
  T0 + 3 * HOUR + 5 * MINUTE + 1,
  T0 + DAY - 1,
  T0 + DAY,
  T0 + DAY + 59 * MINUTE + 59_999,
  T0 + 2 * DAY - 30 * MINUTE,
];

const CAMPAIGNS = [
  'camp-A',
  'camp-B',
  'camp-C',
  'camp-D',
  'camp-E',
  'camp-F',
  'camp-G',
  'camp-H',
  'camp-I',
  'camp-J',
  'camp-K',
  'camp-a',
];
const COUNTRIES = ['Ukraine', 'Poland', "Cote d'Ivoire", 'Virgin Islands, U.S.', 'Brazil', 'Japan'];
const CITIES = ['Lviv', 'Springfield', 'Kraków', 'Abidjan', 'Saint Thomas', 'Osaka', 'São Paulo'];
const AGES = [0, 17, 18, 24, 25, 34, 35, 44, 45, 54, 55, 64, 65, 90];
const FOLLOWERS = [0, 999, 1_000, 9_999, 10_000, 99_999, 100_000, 999_999, 1_000_000, 5_000_000];

/**
 * Known events for the report tests: timestamps on and around minute, hour and day boundaries, users who come
 * back with other attributes (some at the same instant, so the event key decides), shared campaigns, amounts
 * missing on some purchases, and names that need quoting.
 */
export function buildReportDataset(size = 900, seed = 20_260_310): MarketingEvent[] {
  const random = new Random(seed);
  let now = T0;
  const generator = new EventGenerator({ seed, clock: () => now });
  const events: MarketingEvent[] = [];
  for (let index = 0; index < size; index++) {
    now = random.chance(0.3) ? random.pick(BOUNDARY_INSTANTS) : T0 - 2 * HOUR + random.int(0, 2 * DAY + 2 * HOUR - 1);
    const event = generator.next();
    if (event.source === 'facebook') shapeFacebook(event, random);
    else shapeTiktok(event, random);
    events.push(event);
  }
  // A returning user with two events at the same instant: the smaller event key is their earliest. Canonical ids
  // (the generator's) sort by key as by text; the second user's ids are not canonical, so their keys are md5s
  // sorting the other way round from their text, and only the key order gives the expected answer.
  for (const source of ['facebook', 'tiktok'] as const) {
    now = T0 + HOUR + MINUTE;
    const first = generator.ofSource(source);
    const second = generator.ofSource(source);
    second.data.user.userId = first.data.user.userId;
    events.push(first, second);

    const [smallerText, smallerKey] = idsKeyedAgainstTheirText(source);
    const earliest = generator.ofSource(source);
    const later = generator.ofSource(source);
    earliest.eventId = smallerKey;
    later.eventId = smallerText;
    later.data.user.userId = earliest.data.user.userId;
    distinguish(earliest, later);
    events.push(later, earliest);
  }
  for (const event of events) {
    const result = validateEvent(event);
    if (!result.ok)
      throw new Error(`dataset event ${event.eventId} breaks the contract: ${JSON.stringify(result.issues)}`);
  }
  return events;
}

/**
 * Two ids outside the canonical form, the first smaller as text and the second smaller as key (the md5 of the
 * text): a tie between them is broken differently by key and by text.
 */
function idsKeyedAgainstTheirText(source: Source): [string, string] {
  const prefix = source === 'facebook' ? 'fb-import' : 'ttk-import';
  for (let n = 1; ; n++) {
    const [first, second] = [`${prefix}-${n}`, `${prefix}-${n + 1}`];
    if (eventKeyOf(first, source).key > eventKeyOf(second, source).key) return [first, second];
  }
}

/** Gives two events of one user attributes that land in other report lines, so which one counts shows. */
function distinguish(earliest: MarketingEvent, later: MarketingEvent): void {
  if (earliest.source === 'facebook' && later.source === 'facebook') {
    earliest.data.user.age = 20;
    earliest.data.user.gender = 'female';
    later.data.user.age = 70;
    later.data.user.gender = 'male';
  } else if (earliest.source === 'tiktok' && later.source === 'tiktok') {
    earliest.data.user.followers = 500;
    later.data.user.followers = 5_000_000;
  }
}

function shapeFacebook(event: FacebookEvent, random: Random): void {
  const { user } = event.data;
  if (random.chance(0.35)) user.userId = `fb-user-${random.int(1, 40)}`;
  if (random.chance(0.5)) user.age = random.pick(AGES);
  if (random.chance(0.7)) user.location.country = random.pick(COUNTRIES);
  if (random.chance(0.7)) user.location.city = random.pick(CITIES);
  if (event.funnelStage === 'bottom') {
    const { engagement } = event.data;
    if (random.chance(0.85)) engagement.campaignId = random.pick(CAMPAIGNS);
    if (event.eventType === 'checkout.complete' && random.chance(0.1)) engagement.purchaseAmount = null;
  }
}

function shapeTiktok(event: TiktokEvent, random: Random): void {
  const { user } = event.data;
  if (random.chance(0.35)) user.userId = `ttk-user-${random.int(1, 40)}`;
  if (random.chance(0.5)) user.followers = random.pick(FOLLOWERS);
  if (event.funnelStage === 'top') {
    if (random.chance(0.7)) event.data.engagement.country = random.pick(COUNTRIES);
  } else if (event.eventType === 'purchase' && random.chance(0.1)) {
    event.data.engagement.purchaseAmount = null;
  }
}
