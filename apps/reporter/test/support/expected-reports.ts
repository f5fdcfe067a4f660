import { EVENT_TYPES, FUNNEL_STAGES, type MarketingEvent, SOURCES, type Source } from '@evp/contracts';
import { eventKeyOf } from '@evp/database';

/*
 * The reports computed the plain way, over the seeded events in memory: no rollups, no tiers, no SQL. The
 * tests compare the service's answers with these, figure by figure.
 */

export interface RangeQuery {
  from?: number;
  to?: number;
}

export interface EventsQuery extends RangeQuery {
  source?: Source;
  funnelStage?: 'top' | 'bottom';
  eventType?: string;
  interval?: 'minute' | 'hour' | 'day';
}

export interface RevenueQuery extends RangeQuery {
  source?: Source;
  campaignId?: string;
}

export interface DemographicsQuery extends RangeQuery {
  source?: Source;
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

const timeOf = (event: MarketingEvent) => Date.parse(event.timestamp);
const inRange = (event: MarketingEvent, { from, to }: RangeQuery) =>
  (from === undefined || timeOf(event) >= from) && (to === undefined || timeOf(event) < to);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
/** Byte order, as PostgreSQL's "C" collation sorts ASCII and UTF-8 text. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const cents = (amount: string) => {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
};
const money = (value: bigint) => `${value / 100n}.${(value % 100n).toString().padStart(2, '0')}`;
/** numerator / denominator rounded half up to 2 decimals, from integers only. */
const ratio2 = (numerator: bigint, denominator: bigint) =>
  Number((200n * numerator + denominator) / (2n * denominator)) / 100;
const top = <T extends { users: number }>(entries: T[], key: (entry: T) => string[], limit: number) =>
  entries
    .sort(
      (a, b) => b.users - a.users || key(a).reduce((order, part, index) => order || byBytes(part, key(b)[index]!), 0),
    )
    .slice(0, limit);

/**
 * One stored copy of each event: the same event is the same id and timestamp, as in the database. An id re-sent
 * with another timestamp is stored or refused depending on its partition and on which copy came first, so a
 * dataset holding one is refused rather than guessed at.
 */
export function uniqueEvents(events: MarketingEvent[]): MarketingEvent[] {
  const byId = new Map<string, MarketingEvent>();
  for (const event of events) {
    const stored = byId.get(event.eventId);
    if (stored === undefined) byId.set(event.eventId, event);
    else if (timeOf(stored) !== timeOf(event)) {
      throw new Error(`event ${event.eventId} is sent at ${stored.timestamp} and at ${event.timestamp}`);
    }
  }
  return [...byId.values()];
}

export function expectedEventsReport(events: MarketingEvent[], query: EventsQuery) {
  const matching = events.filter(
    (event) =>
      inRange(event, query) &&
      (query.source === undefined || event.source === query.source) &&
      (query.funnelStage === undefined || event.funnelStage === query.funnelStage) &&
      (query.eventType === undefined || event.eventType === query.eventType),
  );
  const breakdown = SOURCES.filter((source) => query.source === undefined || source === query.source).flatMap(
    (source) =>
      FUNNEL_STAGES.filter((stage) => query.funnelStage === undefined || stage === query.funnelStage).flatMap(
        (funnelStage) =>
          EVENT_TYPES[source][funnelStage]
            .filter((eventType) => query.eventType === undefined || eventType === query.eventType)
            .map((eventType) => ({
              source,
              funnelStage,
              eventType,
              count: matching.filter(
                (event) =>
                  event.source === source && event.funnelStage === funnelStage && event.eventType === eventType,
              ).length,
            })),
      ),
  );
  const report: Record<string, unknown> = {
    filters: stripUndefined({
      from: iso(query.from),
      to: iso(query.to),
      source: query.source,
      funnelStage: query.funnelStage,
      eventType: query.eventType,
      interval: query.interval,
    }),
    total: matching.length,
    breakdown,
  };
  if (query.interval !== undefined) {
    const unit = UNIT_MS[query.interval];
    const times = events.map(timeOf);
    const floor = (ms: number) => Math.floor(ms / unit) * unit;
    const first = floor(query.from ?? Math.min(...times));
    const last = floor(query.to === undefined ? Math.max(...times) : query.to - 1);
    const counts = countBy(matching, (event) => String(floor(timeOf(event))));
    const series = [];
    for (let bucket = first; bucket <= last; bucket += unit) {
      series.push({ bucket: new Date(bucket).toISOString(), count: counts.get(String(bucket)) ?? 0 });
    }
    report.series = series;
  }
  return report;
}

export function expectedRevenueReport(events: MarketingEvent[], query: RevenueQuery, topCampaigns: number) {
  const source = query.campaignId === undefined ? query.source : 'facebook';
  interface Sale {
    source: Source;
    campaignId: string | undefined;
    amount: bigint;
  }
  const sales = events.flatMap((event): Sale[] => {
    if (!inRange(event, query) || (source !== undefined && event.source !== source)) return [];
    if (
      event.source === 'facebook' &&
      event.eventType === 'checkout.complete' &&
      event.data.engagement.purchaseAmount !== null
    ) {
      const { campaignId, purchaseAmount } = event.data.engagement;
      if (query.campaignId !== undefined && campaignId !== query.campaignId) return [];
      return [{ source: event.source, campaignId, amount: cents(purchaseAmount) }];
    }
    if (event.source === 'tiktok' && event.eventType === 'purchase' && event.data.engagement.purchaseAmount !== null) {
      return [{ source: event.source, campaignId: undefined, amount: cents(event.data.engagement.purchaseAmount) }];
    }
    return [];
  });
  const total = sales.reduce((sum, sale) => sum + sale.amount, 0n);
  const campaigns = new Map<string, { revenue: bigint; transactions: number }>();
  for (const sale of sales) {
    if (sale.campaignId === undefined) continue;
    const entry = campaigns.get(sale.campaignId) ?? { revenue: 0n, transactions: 0 };
    entry.revenue += sale.amount;
    entry.transactions += 1;
    campaigns.set(sale.campaignId, entry);
  }
  return {
    filters: stripUndefined({
      from: iso(query.from),
      to: iso(query.to),
      source: query.source,
      campaignId: query.campaignId,
    }),
    totalRevenue: money(total),
    transactions: sales.length,
    averageOrderValue:
      sales.length === 0 ? '0.00' : money((2n * total + BigInt(sales.length)) / (2n * BigInt(sales.length))),
    bySource: SOURCES.filter((candidate) => source === undefined || candidate === source).map((candidate) => {
      const own = sales.filter((sale) => sale.source === candidate);
      return {
        source: candidate,
        revenue: money(own.reduce((sum, sale) => sum + sale.amount, 0n)),
        transactions: own.length,
      };
    }),
    topCampaigns:
      source === 'tiktok'
        ? []
        : [...campaigns]
            .sort(([nameA, a], [nameB, b]) =>
              b.revenue > a.revenue ? 1 : b.revenue < a.revenue ? -1 : byBytes(nameA, nameB),
            )
            .slice(0, topCampaigns)
            .map(([campaignId, entry]) => ({
              campaignId,
              revenue: money(entry.revenue),
              transactions: entry.transactions,
            })),
  };
}

/** The stored key of an event's id; uuids compare as their lower-case text does. */
const keyOf = (event: MarketingEvent) => eventKeyOf(event.eventId, event.source).key;

/**
 * Each user's earliest event among `events`: by time, then by event key (the uuid the database orders by, which
 * is not the id text's order for an id that is not canonical).
 */
function earliestPerUser<T extends MarketingEvent>(events: T[]): T[] {
  const earliest = new Map<string, T>();
  for (const event of events) {
    const current = earliest.get(event.data.user.userId);
    if (
      current === undefined ||
      timeOf(event) < timeOf(current) ||
      (timeOf(event) === timeOf(current) && byBytes(keyOf(event), keyOf(current)) < 0)
    ) {
      earliest.set(event.data.user.userId, event);
    }
  }
  return [...earliest.values()];
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

export function expectedDemographicsReport(
  events: MarketingEvent[],
  query: DemographicsQuery,
  limits: { countries: number; cities: number },
) {
  const inQuery = events.filter((event) => inRange(event, query));
  const report: Record<string, unknown> = {
    filters: stripUndefined({ from: iso(query.from), to: iso(query.to), source: query.source }),
  };
  if (query.source !== 'tiktok') {
    const facebookEvents = inQuery.filter((event) => event.source === 'facebook');
    const users = earliestPerUser(facebookEvents).map((event) => event.data.user);
    const ageGroup = (age: number) =>
      age < 18
        ? '0-17'
        : age < 25
          ? '18-24'
          : age < 35
            ? '25-34'
            : age < 45
              ? '35-44'
              : age < 55
                ? '45-54'
                : age < 65
                  ? '55-64'
                  : '65+';
    const ageSum = users.reduce((sum, user) => sum + BigInt(user.age), 0n);
    const genders = countBy(users, (user) => user.gender);
    const ageGroups = countBy(users, (user) => ageGroup(user.age));
    const cities = countBy(users, (user) => JSON.stringify([user.location.city, user.location.country]));
    report.facebook = {
      users: users.length,
      events: facebookEvents.length,
      genders: ['male', 'female', 'non-binary'].map((gender) => ({ gender, users: genders.get(gender) ?? 0 })),
      ageGroups: ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'].map((range) => ({
        range,
        users: ageGroups.get(range) ?? 0,
      })),
      averageAge: users.length === 0 ? null : ratio2(ageSum, BigInt(users.length)),
      topCountries: top(
        [...countBy(users, (user) => user.location.country)].map(([country, count]) => ({ country, users: count })),
        (entry) => [entry.country],
        limits.countries,
      ),
      topCities: top(
        [...cities].map(([key, count]) => {
          const [city, country] = JSON.parse(key) as [string, string];
          return { city, country, users: count };
        }),
        (entry) => [entry.city, entry.country],
        limits.cities,
      ),
    };
  }
  if (query.source !== 'facebook') {
    const tiktokEvents = inQuery.filter((event) => event.source === 'tiktok');
    const followers = earliestPerUser(tiktokEvents)
      .map((event) => event.data.user.followers)
      .sort((a, b) => a - b);
    const topFunnel = earliestPerUser(tiktokEvents.filter((event) => event.funnelStage === 'top')).map((event) => {
      if (event.funnelStage !== 'top') throw new Error('unreachable');
      return event.data.engagement;
    });
    const middle = followers.length / 2;
    const bucket = (value: number) =>
      value < 1_000
        ? '0-999'
        : value < 10_000
          ? '1000-9999'
          : value < 100_000
            ? '10000-99999'
            : value < 1_000_000
              ? '100000-999999'
              : '1000000+';
    const buckets = countBy(followers, bucket);
    const devices = countBy(topFunnel, (engagement) => engagement.device);
    report.tiktok = {
      users: followers.length,
      events: tiktokEvents.length,
      followers:
        followers.length === 0
          ? { average: null, median: null, min: null, max: null }
          : {
              average: ratio2(
                followers.reduce((sum, value) => sum + BigInt(value), 0n),
                BigInt(followers.length),
              ),
              median:
                followers.length % 2 === 1
                  ? followers[Math.floor(middle)]
                  : (followers[middle - 1]! + followers[middle]!) / 2,
              min: followers[0],
              max: followers[followers.length - 1],
            },
      followerBuckets: ['0-999', '1000-9999', '10000-99999', '100000-999999', '1000000+'].map((range) => ({
        range,
        users: buckets.get(range) ?? 0,
      })),
      topCountries: top(
        [...countBy(topFunnel, (engagement) => engagement.country)].map(([country, count]) => ({
          country,
          users: count,
        })),
        (entry) => [entry.country],
        limits.countries,
      ),
      devices: ['Android', 'iOS', 'Desktop'].map((device) => ({ device, users: devices.get(device) ?? 0 })),
    };
  }
  return report;
}

function stripUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
