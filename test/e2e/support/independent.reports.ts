import { amountToCents, centsToAmount, eventKeyOf, toDecimalAmount } from '@evp/database';

/**
 * The three reports recomputed in plain TypeScript from the stored rows of `events` (never from the rollups the
 * reporter reads), following the rules the reporter's OpenAPI document states, so the whole-system test can
 * compare the reporter's answers with an independent count.
 */

/** One stored row as the independent computation needs it, ids as sent; `amount` is the stored amount's text. */
export interface StoredRow {
  eventId: string;
  occurredAtMs: number;
  source: 'facebook' | 'tiktok';
  funnelStage: string;
  eventType: string;
  userId: string;
  age: number | null;
  gender: string | null;
  country: string | null;
  city: string | null;
  followers: number | null;
  device: string | null;
  campaignId: string | null;
  amount: unknown;
}

/**
 * Selects `StoredRow`s from the view `events_as_received`, which gives the ids back as sent (`events` holds their uuid
 * keys). The amount is the typed column's exact text: the rows hold no other copy of the event.
 */
export const STORED_ROWS_SQL = `
  SELECT event_id AS "eventId", (extract(epoch FROM occurred_at) * 1000)::float8 AS "occurredAtMs", source,
    funnel_stage AS "funnelStage", event_type AS "eventType", user_id AS "userId", age, gender, country, city,
    followers, device, campaign_id AS "campaignId", purchase_amount::text AS amount
  FROM events_as_received`;

export interface Range {
  from?: number;
  to?: number;
}

const AGE_FLOORS = [0, 18, 25, 35, 45, 55, 65];
const AGE_GROUPS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'];
const FOLLOWER_FLOORS = [0, 1_000, 10_000, 100_000, 1_000_000];
const FOLLOWER_BUCKETS = ['0-999', '1000-9999', '10000-99999', '100000-999999', '1000000+'];
const GENDERS = ['male', 'female', 'non-binary'];
const DEVICES = ['Android', 'iOS', 'Desktop'];
const TOP = 10;

export function inRange(rows: readonly StoredRow[], range: Range): StoredRow[] {
  return rows.filter(
    (row) =>
      (range.from === undefined || row.occurredAtMs >= range.from) &&
      (range.to === undefined || row.occurredAtMs < range.to),
  );
}

/** `total` and the non-zero entries of `breakdown`, keyed `source/funnelStage/eventType`. */
export function eventCounts(rows: readonly StoredRow[]): { total: number; breakdown: Record<string, number> } {
  const breakdown: Record<string, number> = {};
  for (const row of rows) {
    const key = `${row.source}/${row.funnelStage}/${row.eventType}`;
    breakdown[key] = (breakdown[key] ?? 0) + 1;
  }
  return { total: rows.length, breakdown };
}

function isTransactional(row: StoredRow): boolean {
  return (
    (row.source === 'facebook' && row.eventType === 'checkout.complete') ||
    (row.source === 'tiktok' && row.eventType === 'purchase')
  );
}

export function revenue(rows: readonly StoredRow[]) {
  const bySource = new Map<string, { cents: bigint; transactions: number }>([
    ['facebook', { cents: 0n, transactions: 0 }],
    ['tiktok', { cents: 0n, transactions: 0 }],
  ]);
  const campaigns = new Map<string, { cents: bigint; transactions: number }>();
  for (const row of rows) {
    const amount = toDecimalAmount(row.amount);
    if (!isTransactional(row) || amount === null) continue;
    const cents = amountToCents(amount);
    const line = bySource.get(row.source) as { cents: bigint; transactions: number };
    line.cents += cents;
    line.transactions += 1;
    if (row.source === 'facebook' && row.campaignId !== null) {
      const campaign = campaigns.get(row.campaignId) ?? { cents: 0n, transactions: 0 };
      campaign.cents += cents;
      campaign.transactions += 1;
      campaigns.set(row.campaignId, campaign);
    }
  }
  const totalCents = [...bySource.values()].reduce((sum, line) => sum + line.cents, 0n);
  const transactions = [...bySource.values()].reduce((sum, line) => sum + line.transactions, 0);
  const averageCents = transactions === 0 ? 0n : (totalCents * 2n + BigInt(transactions)) / (2n * BigInt(transactions));
  return {
    totalRevenue: centsToAmount(totalCents),
    transactions,
    averageOrderValue: centsToAmount(averageCents),
    bySource: [...bySource].map(([source, line]) => ({
      source,
      revenue: centsToAmount(line.cents),
      transactions: line.transactions,
    })),
    topCampaigns: [...campaigns]
      .sort(([a, x], [b, y]) => (x.cents === y.cents ? byBytes(a, b) : x.cents > y.cents ? -1 : 1))
      .slice(0, TOP)
      .map(([campaignId, line]) => ({
        campaignId,
        revenue: centsToAmount(line.cents),
        transactions: line.transactions,
      })),
  };
}

export function demographics(rows: readonly StoredRow[]) {
  const facebookRows = rows.filter((row) => row.source === 'facebook');
  const tiktokRows = rows.filter((row) => row.source === 'tiktok');
  return { facebook: facebookDemographics(facebookRows), tiktok: tiktokDemographics(tiktokRows) };
}

function facebookDemographics(rows: readonly StoredRow[]) {
  const firsts = firstPerUser(rows);
  const genders = new Map<string, number>(GENDERS.map((gender) => [gender, 0]));
  const ageGroups = AGE_GROUPS.map(() => 0);
  let ageSum = 0;
  let aged = 0;
  for (const row of firsts) {
    if (row.gender !== null) genders.set(row.gender, (genders.get(row.gender) ?? 0) + 1);
    if (row.age !== null) {
      ageGroups[bucketIndex(AGE_FLOORS, row.age)]! += 1;
      ageSum += row.age;
      aged += 1;
    }
  }
  const placed = firsts.filter((row) => row.country !== null);
  return {
    users: firsts.length,
    events: rows.length,
    genders: [...genders].map(([gender, users]) => ({ gender, users })),
    ageGroups: AGE_GROUPS.map((range, index) => ({ range, users: ageGroups[index]! })),
    averageAge: aged === 0 ? null : Math.round((ageSum / aged) * 100) / 100,
    topCountries: top(countBy(placed, (row) => row.country as string)).map(([country, users]) => ({ country, users })),
    topCities: top(
      countBy(
        placed.filter((row) => row.city !== null),
        (row) => `${row.city as string}\u0000${row.country as string}`,
      ),
    ).map(([key, users]) => {
      const [city = '', country = ''] = key.split('\u0000');
      return { city, country, users };
    }),
  };
}

function tiktokDemographics(rows: readonly StoredRow[]) {
  const firsts = firstPerUser(rows);
  const followers = firsts
    .map((row) => row.followers)
    .filter((value): value is number => value !== null)
    .sort((a, b) => a - b);
  const count = followers.length;
  const sum = followers.reduce((total, value) => total + BigInt(value), 0n);
  // PostgreSQL's round(avg(), 2) on exact numerics: half away from zero, computed here in integers.
  const average = count === 0 ? null : Number((sum * 200n + BigInt(count)) / (2n * BigInt(count))) / 100;
  const middle = Math.floor(count / 2);
  const median =
    count === 0 ? null : count % 2 === 1 ? followers[middle]! : (followers[middle - 1]! + followers[middle]!) / 2;
  const buckets = FOLLOWER_BUCKETS.map(() => 0);
  for (const value of followers) buckets[bucketIndex(FOLLOWER_FLOORS, value)]! += 1;
  const topFunnel = firstPerUser(rows.filter((row) => row.funnelStage === 'top'));
  const devices = new Map<string, number>(DEVICES.map((device) => [device, 0]));
  for (const row of topFunnel) if (row.device !== null) devices.set(row.device, (devices.get(row.device) ?? 0) + 1);
  return {
    users: firsts.length,
    events: rows.length,
    followers: {
      average,
      median: median === null ? null : Math.round(median * 100) / 100,
      min: count === 0 ? null : followers[0]!,
      max: count === 0 ? null : followers[count - 1]!,
    },
    followerBuckets: FOLLOWER_BUCKETS.map((range, index) => ({ range, users: buckets[index]! })),
    topCountries: top(
      countBy(
        topFunnel.filter((row) => row.country !== null),
        (row) => row.country as string,
      ),
    ).map(([country, users]) => ({ country, users })),
    devices: [...devices].map(([device, users]) => ({ device, users })),
  };
}

/**
 * Each user's earliest row: by time, then by event key (the uuid the table stores the id as, `eventKeyOf`), which is
 * how the read model breaks ties; uuids compare as their lower-case text does, byte by byte.
 */
function firstPerUser(rows: readonly StoredRow[]): StoredRow[] {
  const firsts = new Map<string, StoredRow>();
  const keyOf = (row: StoredRow) => eventKeyOf(row.eventId, row.source).key;
  for (const row of rows) {
    const current = firsts.get(row.userId);
    if (
      !current ||
      row.occurredAtMs < current.occurredAtMs ||
      (row.occurredAtMs === current.occurredAtMs && byBytes(keyOf(row), keyOf(current)) < 0)
    ) {
      firsts.set(row.userId, row);
    }
  }
  return [...firsts.values()];
}

function countBy(rows: readonly StoredRow[], key: (row: StoredRow) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return counts;
}

/** Highest counts first, ties by name in byte order. */
function top(counts: Map<string, number>): Array<[string, number]> {
  return [...counts].sort(([a, x], [b, y]) => y - x || byBytes(a, b)).slice(0, TOP);
}

/** Byte order of the UTF-8 encodings, as PostgreSQL's "C" collation compares. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function bucketIndex(floors: readonly number[], value: number): number {
  let index = 0;
  while (index + 1 < floors.length && value >= floors[index + 1]!) index++;
  return index;
}
