import {
  EVENT_TYPES,
  FUNNEL_STAGES,
  type FacebookEvent,
  type MarketingEvent,
  type Source,
  type TiktokEvent,
} from '@evp/contracts';
import { Random } from './random';
import { CITY_PREFIXES, CITY_ROOTS, CITY_STEMS, COUNTRIES, FIRST_NAMES, LAST_NAMES, PURCHASED_ITEMS } from './vocabulary';

export interface EventGeneratorOptions {
  /** Fixed seed for a repeatable stream of events. @default random */
  seed?: number;
  /** The clock events are stamped with. @default () => new Date() */
  now?: () => Date;
}

/**
 * Generates valid events with the distributions of the real publisher (shared/spec/PUBLISHER.md):
 * sources with equal odds, uniform stage and type, a fresh user per event, amounts only on purchases.
 */
export class EventGenerator {
  readonly random: Random;
  private readonly now: () => Date;

  constructor(options: EventGeneratorOptions = {}) {
    this.random = new Random(options.seed);
    this.now = options.now ?? (() => new Date());
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
    const funnelStage =
      eventType === undefined
        ? r.pick(FUNNEL_STAGES)
        : (EVENT_TYPES.facebook.top as readonly string[]).includes(eventType)
          ? 'top'
          : 'bottom';
    const timestamp = this.now().toISOString();
    const user = {
      userId: r.uuid(),
      name: `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`,
      age: r.int(18, 65),
      gender: r.pick(['male', 'female', 'non-binary'] as const),
      location: { country: r.pick(COUNTRIES), city: this.city() },
    };
    const base = { eventId: `fb-${r.uuid()}`, timestamp, source: 'facebook' as const };
    if (funnelStage === 'top') {
      const type = (eventType as FacebookEvent['eventType'] & (typeof EVENT_TYPES.facebook.top)[number]) ?? r.pick(EVENT_TYPES.facebook.top);
      return {
        ...base,
        funnelStage,
        eventType: type,
        data: {
          user,
          engagement: {
            actionTime: timestamp,
            referrer: r.pick(['newsfeed', 'marketplace', 'groups'] as const),
            videoId: type === 'video.view' ? `vid-${r.alphanumeric(8)}` : null,
          },
        },
      };
    }
    const type = (eventType as (typeof EVENT_TYPES.facebook.bottom)[number] | undefined) ?? r.pick(EVENT_TYPES.facebook.bottom);
    return {
      ...base,
      funnelStage,
      eventType: type,
      data: {
        user,
        engagement: {
          adId: `ad-${r.alphanumeric(8)}`,
          campaignId: `camp-${r.alphanumeric(5)}`,
          clickPosition: r.pick(['top_left', 'bottom_right', 'center'] as const),
          device: r.pick(['mobile', 'desktop'] as const),
          browser: r.pick(['Chrome', 'Firefox', 'Safari'] as const),
          purchaseAmount: type === 'checkout.complete' ? r.amount(10, 1000) : null,
        },
      },
    };
  }

  tiktok(eventType?: TiktokEvent['eventType']): TiktokEvent {
    const r = this.random;
    const funnelStage =
      eventType === undefined
        ? r.pick(FUNNEL_STAGES)
        : (EVENT_TYPES.tiktok.top as readonly string[]).includes(eventType)
          ? 'top'
          : 'bottom';
    const timestamp = this.now().toISOString();
    const user = {
      userId: r.uuid(),
      username: `${r.pick(FIRST_NAMES)}${r.int(1, 99)}`,
      followers: r.int(0, 1_000_000),
    };
    const base = { eventId: `ttk-${r.uuid()}`, timestamp, source: 'tiktok' as const };
    if (funnelStage === 'top') {
      const type = (eventType as (typeof EVENT_TYPES.tiktok.top)[number] | undefined) ?? r.pick(EVENT_TYPES.tiktok.top);
      return {
        ...base,
        funnelStage,
        eventType: type,
        data: {
          user,
          engagement: {
            watchTime: r.int(1, 300),
            percentageWatched: r.int(0, 100),
            device: r.pick(['Android', 'iOS', 'Desktop'] as const),
            country: r.pick(COUNTRIES),
            videoId: `vid-${r.alphanumeric(8)}`,
          },
        },
      };
    }
    const type = (eventType as (typeof EVENT_TYPES.tiktok.bottom)[number] | undefined) ?? r.pick(EVENT_TYPES.tiktok.bottom);
    return {
      ...base,
      funnelStage,
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
    return r.chance(0.3) ? `${r.pick(CITY_PREFIXES)} ${r.pick(CITY_STEMS)}${r.pick(CITY_ROOTS)}` : `${r.pick(CITY_STEMS)}${r.pick(CITY_ROOTS)}`;
  }
}
