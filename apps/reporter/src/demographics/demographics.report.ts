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
import {
  type TopLimits,
  allTimeFacebookRows,
  allTimeFollowerFigures,
  allTimeTiktokPlaces,
} from './demographics-all-time.queries';
import {
  FOLLOWER_BUCKET_FLOORS,
  type FacebookRow,
  type FollowerFigures,
  type TiktokPlaceRow,
  bucketIndex,
} from './demographics.rows';

/** Lower bounds of AGE_GROUPS, in the same order. */
const AGE_GROUP_FLOORS = [0, 18, 25, 35, 45, 55, 65];

interface FollowersRow {
  users: string;
  average: string | null;
  median: number | null;
  min: number | null;
  max: number | null;
  buckets: string[];
}

/**
 * Each user is taken once, from their earliest event in the range: `DISTINCT ON (user_id)` ordered by user_id in
 * byte order (cheaper to sort than a linguistic collation), then occurred_at and event_id. The range itself is an
 * index-only scan of the source's time-ordered covering index.
 */
const firstEventOrder = Prisma.raw('user_id COLLATE "C", occurred_at, event_id COLLATE "C"');
const firstEventKey = Prisma.raw('DISTINCT ON (user_id COLLATE "C")');

/**
 * `GET /reports/demographics`: who the users with events in the range are. Counts of users do not add up across
 * time buckets, so a bounded range distinct-counts its own events (an index-only scan of the range). Without
 * `from` and `to` the question is about every user ever seen, which the demographics read model answers from
 * counters. The event counts come from the rollups either way.
 */
@Injectable()
export class DemographicsReport {
  constructor(
    private readonly reader: ReportReader,
    @Inject(REPORTER_CONFIG) private readonly config: ReporterConfig,
  ) {}

  generate(query: DemographicsQuery): Promise<DemographicsReportBody> {
    const range: Span = { from: query.from, to: query.to };
    const allTime = query.from === undefined && query.to === undefined;
    return this.reader.snapshot(
      async (run) => {
        // Issued together: with REPORT_CONNECTIONS > 1 the sources are scanned in parallel, in one snapshot.
        const [events, facebook, tiktok] = await Promise.all([
          eventCounts(run, range, query.source),
          query.source === 'tiktok' ? undefined : this.facebook(run, range, allTime),
          query.source === 'facebook' ? undefined : this.tiktok(run, range, allTime),
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

  private async facebook(
    run: ReportQuery,
    range: Span,
    allTime: boolean,
  ): Promise<Omit<FacebookDemographics, 'events'>> {
    const limits = { countries: this.config.REPORT_TOP_COUNTRIES, cities: this.config.REPORT_TOP_CITIES };
    const rows = allTime ? await allTimeFacebookRows(run, limits) : await rangeFacebookRows(run, range, limits);

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

  private async tiktok(run: ReportQuery, range: Span, allTime: boolean): Promise<Omit<TiktokDemographics, 'events'>> {
    const topCountries = this.config.REPORT_TOP_COUNTRIES;
    const [followers, places] = await Promise.all(
      allTime
        ? [allTimeFollowerFigures(run), allTimeTiktokPlaces(run, topCountries)]
        : [rangeFollowerFigures(run, range), rangeTiktokPlaces(run, range, topCountries)],
    );

    const devices = new Map<string, number>(TIKTOK_DEVICES.map((device) => [device, 0]));
    for (const row of places.filter((place) => place.kind === 'device')) devices.set(row.value, Number(row.users));
    return {
      users: followers.users,
      followers: { average: followers.average, median: followers.median, min: followers.min, max: followers.max },
      followerBuckets: FOLLOWER_BUCKETS.map((range, index) => ({ range, users: followers.buckets[index] ?? 0 })),
      topCountries: places
        .filter((row) => row.kind === 'country')
        .map((row) => ({ country: row.value, users: Number(row.users) })),
      devices: [...devices].map(([device, count]) => ({ device, users: count })),
    };
  }
}

function rangeFacebookRows(run: ReportQuery, range: Span, limits: TopLimits): Promise<FacebookRow[]> {
  return run<FacebookRow>(Prisma.sql`
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
      GROUP BY country ORDER BY sum(users) DESC, country COLLATE "C" LIMIT ${limits.countries}
    )
    UNION ALL (
      SELECT 'city', NULL, NULL, country, city, users::int8 FROM places WHERE city IS NOT NULL
      ORDER BY users DESC, city COLLATE "C", country COLLATE "C" LIMIT ${limits.cities}
    )`);
}

async function rangeFollowerFigures(run: ReportQuery, range: Span): Promise<FollowerFigures> {
  const bucketCounts = FOLLOWER_BUCKET_FLOORS.map((floor, index) => {
    const ceiling = FOLLOWER_BUCKET_FLOORS[index + 1];
    const condition =
      ceiling === undefined
        ? Prisma.sql`followers >= ${floor}`
        : Prisma.sql`followers >= ${floor} AND followers < ${ceiling}`;
    return Prisma.sql`count(*) FILTER (WHERE ${condition})`;
  });
  const [row] = await run<FollowersRow>(Prisma.sql`
    WITH firsts AS (
      SELECT ${firstEventKey} followers FROM events
      WHERE source = 'tiktok' AND ${withinSpans('occurred_at', [range])} ORDER BY ${firstEventOrder}
    )
    SELECT count(*)::int8 AS users, round(avg(followers), 2)::text AS average,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY followers) AS median, min(followers) AS min, max(followers) AS max,
      ARRAY[${Prisma.join(bucketCounts)}]::text[] AS buckets
    FROM firsts`);
  return {
    users: Number(row?.users ?? 0),
    average: row?.average == null ? null : Number(row.average),
    median: row?.median ?? null,
    min: row?.min ?? null,
    max: row?.max ?? null,
    buckets: FOLLOWER_BUCKET_FLOORS.map((_, index) => Number(row?.buckets[index] ?? 0)),
  };
}

function rangeTiktokPlaces(run: ReportQuery, range: Span, topCountries: number): Promise<TiktokPlaceRow[]> {
  return run<TiktokPlaceRow>(Prisma.sql`
    WITH firsts AS (
      SELECT ${firstEventKey} country, device FROM events
      WHERE source = 'tiktok' AND funnel_stage = 'top' AND ${withinSpans('occurred_at', [range])} ORDER BY ${firstEventOrder}
    ), countries AS (
      SELECT country AS value, count(*) AS users FROM firsts WHERE country IS NOT NULL GROUP BY country
    ), devices AS (
      SELECT device AS value, count(*) AS users FROM firsts WHERE device IS NOT NULL GROUP BY device
    )
    (SELECT 'country' AS kind, value, users::int8 AS users FROM countries ORDER BY users DESC, value COLLATE "C" LIMIT ${topCountries})
    UNION ALL
    SELECT 'device', value, users::int8 FROM devices`);
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

/** `numerator / denominator` rounded half up to 2 decimals, in integers (exact while 200 × numerator < 2^53). */
const halfUpHundredths = (numerator: number, denominator: number) =>
  Math.floor((200 * numerator + denominator) / (2 * denominator)) / 100;
