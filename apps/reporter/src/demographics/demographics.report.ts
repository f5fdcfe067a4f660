import { Inject, Injectable } from '@nestjs/common';
import { type Source } from '@evp/contracts';
import { Prisma } from '@evp/database';
import { type ReportQuery, ReportReader } from '../query/report.reader';
import { toIso } from '../query/report-filters.schema';
import { withinSpans } from '../query/range.sql';
import { tieredUnion } from '../query/tiered.sql';
import { type Span, splitRange } from '../query/time-range.split';
import { type ReporterConfig } from '../reporter.config';
import { REPORTER_CONFIG } from '../reporter.constants';
import {
  AGE_GROUPS,
  type DemographicsQuery,
  type DemographicsReport as DemographicsReportBody,
  FOLLOWER_BUCKETS,
  type FacebookDemographics,
  GENDERS,
  TIKTOK_DEVICES,
  type TiktokDemographics,
} from './demographics-report.schema';

interface FacebookRow {
  kind: 'person' | 'country' | 'city';
  gender: string | null;
  age: number | null;
  country: string | null;
  city: string | null;
  users: string;
}

interface FollowersRow {
  users: string;
  average: string | null;
  median: number | null;
  min: number | null;
  max: number | null;
  buckets: string[];
}

interface TiktokPlaceRow {
  kind: 'country' | 'device';
  value: string;
  users: string;
}

/** Lower bounds of FOLLOWER_BUCKETS, in the same order. */
const FOLLOWER_BUCKET_FLOORS = [0, 1_000, 10_000, 100_000, 1_000_000];
/** Lower bounds of AGE_GROUPS, in the same order. */
const AGE_GROUP_FLOORS = [0, 18, 25, 35, 45, 55, 65];

/**
 * Each user is taken once, from their earliest event in the range: `DISTINCT ON (user_id)` ordered by user_id in
 * byte order (cheaper to sort than a linguistic collation), then occurred_at and event_id. The range itself is an
 * index-only scan of the source's time-ordered covering index.
 */
const firstEventOrder = Prisma.raw('user_id COLLATE "C", occurred_at, event_id COLLATE "C"');
const firstEventKey = Prisma.raw('DISTINCT ON (user_id COLLATE "C")');

/**
 * `GET /reports/demographics`: who the users with events in the range are. Distinct users can only come from
 * the raw events (counts of users do not add up across buckets); the event counts come from the rollups.
 */
@Injectable()
export class DemographicsReport {
  constructor(
    private readonly reader: ReportReader,
    @Inject(REPORTER_CONFIG) private readonly config: ReporterConfig,
  ) {}

  generate(query: DemographicsQuery): Promise<DemographicsReportBody> {
    const range: Span = { from: query.from, to: query.to };
    return this.reader.snapshot(
      async (run) => {
        // Issued together: with REPORT_CONNECTIONS > 1 the sources are scanned in parallel, in one snapshot.
        const [events, facebook, tiktok] = await Promise.all([
          eventCounts(run, range, query.source),
          query.source === 'tiktok' ? undefined : this.facebook(run, range),
          query.source === 'facebook' ? undefined : this.tiktok(run, range),
        ]);
        const body: DemographicsReportBody = {
          filters: { from: toIso(query.from), to: toIso(query.to), source: query.source },
        };
        if (facebook) {
          const { users, ...rest } = facebook;
          body.facebook = { users, events: events.get('facebook') ?? 0, ...rest };
        }
        if (tiktok) {
          const { users, ...rest } = tiktok;
          body.tiktok = { users, events: events.get('tiktok') ?? 0, ...rest };
        }
        return body;
      },
      { connections: this.config.REPORT_CONNECTIONS },
    );
  }

  private async facebook(run: ReportQuery, range: Span): Promise<Omit<FacebookDemographics, 'events'>> {
    const rows = await run<FacebookRow>(Prisma.sql`
      WITH firsts AS (
        SELECT ${firstEventKey} gender, age, country, city
        FROM events WHERE source = 'facebook' AND ${withinSpans('occurred_at', [range])}
        ORDER BY ${firstEventOrder}
      ), groups AS (
        SELECT GROUPING(gender, age) AS by_place, gender, age, country, city, count(*) AS users
        FROM firsts GROUP BY GROUPING SETS ((gender, age), (country, city))
      ), places AS (
        SELECT country, city, users FROM groups WHERE by_place = 3 AND country IS NOT NULL
      )
      SELECT 'person' AS kind, gender, age, NULL AS country, NULL AS city, users::int8 AS users FROM groups WHERE by_place = 0
      UNION ALL (
        SELECT 'country', NULL, NULL, country, NULL, sum(users)::int8 FROM places
        GROUP BY country ORDER BY sum(users) DESC, country COLLATE "C" LIMIT ${this.config.REPORT_TOP_COUNTRIES}
      )
      UNION ALL (
        SELECT 'city', NULL, NULL, country, city, users::int8 FROM places WHERE city IS NOT NULL
        ORDER BY users DESC, city COLLATE "C", country COLLATE "C" LIMIT ${this.config.REPORT_TOP_CITIES}
      )`);

    const people = rows.filter((row) => row.kind === 'person');
    const users = people.reduce((sum, row) => sum + Number(row.users), 0);
    const genders = new Map<string, number>(GENDERS.map((gender) => [gender, 0]));
    const ageGroups = AGE_GROUPS.map(() => 0);
    let ageSum = 0;
    let aged = 0;
    for (const row of people) {
      const count = Number(row.users);
      if (row.gender !== null) genders.set(row.gender, (genders.get(row.gender) ?? 0) + count);
      if (row.age !== null) {
        ageGroups[bucketIndex(AGE_GROUP_FLOORS, row.age)]! += count;
        ageSum += row.age * count;
        aged += count;
      }
    }
    return {
      users,
      genders: [...genders].map(([gender, count]) => ({ gender, users: count })),
      ageGroups: AGE_GROUPS.map((range, index) => ({ range, users: ageGroups[index]! })),
      averageAge: aged === 0 ? null : halfUpHundredths(ageSum, aged),
      topCountries: rows
        .filter((row) => row.kind === 'country')
        .map((row) => ({ country: row.country!, users: Number(row.users) })),
      topCities: rows
        .filter((row) => row.kind === 'city')
        .map((row) => ({ city: row.city!, country: row.country!, users: Number(row.users) })),
    };
  }

  private async tiktok(run: ReportQuery, range: Span): Promise<Omit<TiktokDemographics, 'events'>> {
    const inRange = withinSpans('occurred_at', [range]);
    const bucketCounts = FOLLOWER_BUCKET_FLOORS.map((floor, index) => {
      const ceiling = FOLLOWER_BUCKET_FLOORS[index + 1];
      const condition =
        ceiling === undefined
          ? Prisma.sql`followers >= ${floor}`
          : Prisma.sql`followers >= ${floor} AND followers < ${ceiling}`;
      return Prisma.sql`count(*) FILTER (WHERE ${condition})`;
    });
    const [[followers], places] = await Promise.all([
      run<FollowersRow>(Prisma.sql`
      WITH firsts AS (
        SELECT ${firstEventKey} followers FROM events WHERE source = 'tiktok' AND ${inRange} ORDER BY ${firstEventOrder}
      )
      SELECT count(*)::int8 AS users, round(avg(followers), 2)::text AS average,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY followers) AS median, min(followers) AS min, max(followers) AS max,
        ARRAY[${Prisma.join(bucketCounts)}]::text[] AS buckets
      FROM firsts`),
      run<TiktokPlaceRow>(Prisma.sql`
      WITH firsts AS (
        SELECT ${firstEventKey} country, device FROM events
        WHERE source = 'tiktok' AND funnel_stage = 'top' AND ${inRange} ORDER BY ${firstEventOrder}
      ), countries AS (
        SELECT country AS value, count(*) AS users FROM firsts WHERE country IS NOT NULL GROUP BY country
      ), devices AS (
        SELECT device AS value, count(*) AS users FROM firsts WHERE device IS NOT NULL GROUP BY device
      )
      (SELECT 'country' AS kind, value, users::int8 AS users FROM countries ORDER BY users DESC, value COLLATE "C" LIMIT ${this.config.REPORT_TOP_COUNTRIES})
      UNION ALL
      SELECT 'device', value, users::int8 FROM devices`),
    ]);

    const devices = new Map<string, number>(TIKTOK_DEVICES.map((device) => [device, 0]));
    for (const row of places.filter((place) => place.kind === 'device')) devices.set(row.value, Number(row.users));
    const users = Number(followers?.users ?? 0);
    return {
      users,
      followers: {
        average: followers?.average == null ? null : Number(followers.average),
        median: followers?.median ?? null,
        min: followers?.min ?? null,
        max: followers?.max ?? null,
      },
      followerBuckets: FOLLOWER_BUCKETS.map((range, index) => ({
        range,
        users: Number(followers?.buckets[index] ?? 0),
      })),
      topCountries: places
        .filter((row) => row.kind === 'country')
        .map((row) => ({ country: row.value, users: Number(row.users) })),
      devices: [...devices].map(([device, count]) => ({ device, users: count })),
    };
  }
}

/** Events per source in the range, from the count rollups and the raw edges. */
async function eventCounts(run: ReportQuery, range: Span, source: Source | undefined): Promise<Map<string, number>> {
  const tables = { minute: Prisma.raw('event_counts_minute'), hour: Prisma.raw('event_counts_hour') };
  const tiers = tieredUnion(
    splitRange(range),
    {
      rollup: (unit, where) => Prisma.sql`SELECT source, events AS n FROM ${tables[unit]} WHERE ${where}`,
      raw: (where) => Prisma.sql`SELECT source, count(*) AS n FROM events WHERE ${where} GROUP BY source`,
    },
    source === undefined ? [] : [Prisma.sql`source = ${source}`],
  );
  const rows = await run<{ source: string; events: string }>(
    Prisma.sql`SELECT source, sum(n)::int8 AS events FROM (${tiers}) AS tiers GROUP BY source`,
  );
  return new Map(rows.map((row) => [row.source, Number(row.events)]));
}

/** Index of the last floor not above the value. */
function bucketIndex(floors: readonly number[], value: number): number {
  let index = 0;
  while (index + 1 < floors.length && value >= floors[index + 1]!) index++;
  return index;
}

/** `numerator / denominator` rounded half up to 2 decimals, in integers (exact while 200 × numerator < 2^53). */
const halfUpHundredths = (numerator: number, denominator: number) =>
  Math.floor((200 * numerator + denominator) / (2 * denominator)) / 100;
