import {
  EVENT_TYPES,
  FUNNEL_STAGES,
  type FacebookEvent,
  type MarketingEvent,
  type Source,
  type TiktokEvent,
} from '@evp/contracts';
import { IsoTimestampFormatter } from './iso-timestamp';
import { Random } from './random';
import {
  CITY_PREFIXES,
  CITY_ROOTS,
  CITY_STEMS,
  COUNTRIES,
  FIRST_NAMES,
  LAST_NAMES,
  PURCHASED_ITEMS,
} from './vocabulary';

type FacebookTopType = (typeof EVENT_TYPES.facebook.top)[number];
type FacebookBottomType = (typeof EVENT_TYPES.facebook.bottom)[number];
type TiktokTopType = (typeof EVENT_TYPES.tiktok.top)[number];
type TiktokBottomType = (typeof EVENT_TYPES.tiktok.bottom)[number];

const GENDERS = ['male', 'female', 'non-binary'] as const;
const REFERRERS = ['newsfeed', 'marketplace', 'groups'] as const;
const CLICK_POSITIONS = ['top_left', 'bottom_right', 'center'] as const;
const FACEBOOK_DEVICES = ['mobile', 'desktop'] as const;
const BROWSERS = ['Chrome', 'Firefox', 'Safari'] as const;
const TIKTOK_DEVICES = ['Android', 'iOS', 'Desktop'] as const;

export interface EventGeneratorOptions {
  /** Fixed seed for a repeatable stream of events. @default random */
  seed?: number;
  /** The clock events are stamped with. Ignored when `clock` is given. @default () => new Date() */
  now?: () => Date;
  /**
   * The clock events are stamped with, in epoch milliseconds; cheaper than `now` (no Date per event),
   * and the place to shift timestamps for out-of-order loads. @default Date.now
   */
  clock?: () => number;
}

/**
 * Generates valid events with the distributions of the real publisher (shared/spec/PUBLISHER.md):
 * sources with equal odds, uniform stage and type, a fresh user per event, amounts only on purchases.
 * Load tests draw hundreds of thousands of events a second from it, so it builds each event as one
 * literal, without spreads or intermediate objects.
 */
export class EventGenerator {
  readonly random: Random;
  private readonly clock: () => number;
  private readonly timestamps = new IsoTimestampFormatter();

  constructor(options: EventGeneratorOptions = {}) {
    this.random = new Random(options.seed);
    const now = options.now;
    this.clock = options.clock ?? (now ? () => now().getTime() : Date.now);
  }

  next(): MarketingEvent {
    return this.random.chance(0.5) ? this.facebook() : this.tiktok();
  }

  batch(size: number): MarketingEvent[] {
    return Array.from({ length: size }, () => this.next());
  }

  ofSource(source: Source): MarketingEvent {
    return source === 'facebook' ? this.facebook() : this.tiktok();
  }

  facebook(eventType?: FacebookEvent['eventType']): FacebookEvent {
    const r = this.random;
    const top =
      eventType === undefined ? r.pick(FUNNEL_STAGES) === 'top' : isOneOf(EVENT_TYPES.facebook.top, eventType);
    const timestamp = this.timestamps.format(this.clock());
    const eventId = `fb-${r.uuid()}`;
    const user = {
      userId: r.uuid(),
      name: `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`,
      age: r.int(18, 65),
      gender: r.pick(GENDERS),
      location: { country: r.pick(COUNTRIES), city: this.city() },
    };
    if (top) {
      const type = (eventType as FacebookTopType | undefined) ?? r.pick(EVENT_TYPES.facebook.top);
      return {
        eventId,
        timestamp,
        source: 'facebook',
        funnelStage: 'top',
        eventType: type,
        data: {
          user,
          engagement: {
            actionTime: timestamp,
            referrer: r.pick(REFERRERS),
            videoId: type === 'video.view' ? `vid-${r.alphanumeric(8)}` : null,
          },
        },
      };
    }
    const type = (eventType as FacebookBottomType | undefined) ?? r.pick(EVENT_TYPES.facebook.bottom);
    return {
      eventId,
      timestamp,
      source: 'facebook',
      funnelStage: 'bottom',
      eventType: type,
      data: {
        user,
        engagement: {
          adId: `ad-${r.alphanumeric(8)}`,
          campaignId: `camp-${r.alphanumeric(5)}`,
          clickPosition: r.pick(CLICK_POSITIONS),
          device: r.pick(FACEBOOK_DEVICES),
          browser: r.pick(BROWSERS),
          purchaseAmount: type === 'checkout.complete' ? r.amount(10, 1000) : null,
        },
      },
    };
  }

  tiktok(eventType?: TiktokEvent['eventType']): TiktokEvent {
    const r = this.random;
    const top = eventType === undefined ? r.pick(FUNNEL_STAGES) === 'top' : isOneOf(EVENT_TYPES.tiktok.top, eventType);
    const timestamp = this.timestamps.format(this.clock());
    const eventId = `ttk-${r.uuid()}`;
    const user = {
      userId: r.uuid(),
      username: `${r.pick(FIRST_NAMES)}${r.int(1, 99)}`,
      followers: r.int(0, 1_000_000),
    };
    if (top) {
      const type = (eventType as TiktokTopType | undefined) ?? r.pick(EVENT_TYPES.tiktok.top);
      return {
        eventId,
        timestamp,
        source: 'tiktok',
        funnelStage: 'top',
        eventType: type,
        data: {
          user,
          engagement: {
            watchTime: r.int(1, 300),
            percentageWatched: r.int(0, 100),
            device: r.pick(TIKTOK_DEVICES),
            country: r.pick(COUNTRIES),
            videoId: `vid-${r.alphanumeric(8)}`,
          },
        },
      };
    }
    const type = (eventType as TiktokBottomType | undefined) ?? r.pick(EVENT_TYPES.tiktok.bottom);
    return {
      eventId,
      timestamp,
      source: 'tiktok',
      funnelStage: 'bottom',
      eventType: type,
      data: {
        user,
        engagement: {
          actionTime: timestamp,
          profileId: type === 'profile.visit' ? `profile-${r.alphanumeric(6)}` : null,
          purchasedItem: type === 'purchase' ? r.pick(PURCHASED_ITEMS) : null,
          purchaseAmount: type === 'purchase' ? r.amount(5, 500) : null,
        },
      },
    };
  }

  private city(): string {
    const r = this.random;
    const roll = r.next();
    if (roll < 0.25) return `${r.pick(CITY_PREFIXES)} ${r.pick(CITY_STEMS)}${r.pick(CITY_ROOTS)}`;
    if (roll < 0.4) return `${r.pick(CITY_PREFIXES)} ${r.pick(CITY_STEMS)}`;
    return `${r.pick(CITY_STEMS)}${r.pick(CITY_ROOTS)}`;
  }
}

function isOneOf(types: readonly string[], eventType: string): boolean {
  return types.includes(eventType);
}
