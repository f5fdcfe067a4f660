import { DEMOGRAPHIC_CHAINS, type DemographicChain, queuedEventsCte } from '../../demographics/demographics.sql';
import { Prisma } from '../../generated/prisma/client';
import { instantSql, withinSpans } from '../shared/range.sql';
import { type ReportQuery } from '../shared/report.query';
import { type Span } from '../shared/time-range.split';
import { type TopLimits, facebookRowsSelect, tiktokPlaceRowsSelect } from './demographics-rows.sql';
import {
  FOLLOWER_BUCKET_FLOORS,
  type FacebookRow,
  type FollowerFigures,
  type TiktokPlaceRow,
} from './demographics.rows';

/**
 * Demographics of the users with events in a bounded range, each user described by their earliest event in it, from
 * the read model's event chains (src/demographics): an event is its user's earliest in `[from, to)`
 * exactly when the user's previous event is before `from`, so the range is one index-only scan with a filter. The
 * events still queued for the indexer are added in the report's snapshot: a user with queued events in the range
 * takes the earliest of those and of their chained ones, so the figures are exact at any indexer lag.
 */
const queued = Prisma.raw(`WITH ${queuedEventsCte('demographic_pending')}`);

const QUEUED_OF_CHAIN: Record<DemographicChain, string> = {
  facebook: `source = 'facebook'`,
  tiktok: `source = 'tiktok'`,
  tiktok_top: `source = 'tiktok' AND funnel_stage = 'top'`,
};

/** WITH-list entries that end in `firsts (columns…)`: one row per user of `chain` with events in the range. */
function firstsInRange(chain: DemographicChain, columns: readonly string[], range: Span): Prisma.Sql {
  const list = Prisma.raw(columns.join(', '));
  // A literal, not a parameter: each chain has its own partial index, which the planner must match at plan time.
  const chainLiteral = Prisma.raw(String(DEMOGRAPHIC_CHAINS[chain]));
  const inRange = withinSpans('occurred_at', [range]);
  const earliestInRange =
    range.from === undefined
      ? Prisma.sql`prev_at IS NULL`
      : Prisma.sql`(prev_at IS NULL OR prev_at < ${instantSql(range.from)})`;
  return Prisma.sql`
    chained AS (
      SELECT user_id, occurred_at, event_id, ${list} FROM demographic_events
      WHERE chain = ${chainLiteral} AND ${inRange} AND ${earliestInRange}
    ),
    queued_in_range AS (
      SELECT user_id, occurred_at, event_id, ${list} FROM queued_events
      WHERE ${Prisma.raw(QUEUED_OF_CHAIN[chain])} AND ${inRange}
    ),
    firsts AS (
      SELECT ${list} FROM chained AS c WHERE NOT EXISTS (SELECT 1 FROM queued_in_range AS q WHERE q.user_id = c.user_id)
      UNION ALL
      SELECT ${list} FROM (
        SELECT DISTINCT ON (user_id) * FROM (
          SELECT q.* FROM queued_in_range AS q
          UNION ALL
          SELECT c.user_id, c.occurred_at, c.event_id, ${Prisma.raw(columns.map((column) => `c.${column}`).join(', '))}
          FROM (SELECT DISTINCT user_id FROM queued_in_range) AS u
          CROSS JOIN LATERAL (
            SELECT * FROM demographic_events AS d
            WHERE d.chain = ${chainLiteral} AND d.user_id = u.user_id AND ${inRange} AND ${earliestInRange}
          ) AS c
        ) AS candidates
        ORDER BY user_id, occurred_at, event_id
      ) AS merged
    )`;
}

/** Users per (gender, age), top countries and top cities of the Facebook users with events in the range. */
export function rangeFacebookRows(run: ReportQuery, range: Span, limits: TopLimits): Promise<FacebookRow[]> {
  return run<FacebookRow>(Prisma.sql`${queued}, ${firstsInRange('facebook', ['gender', 'age', 'country', 'city'], range)},
    groups AS (
      SELECT GROUPING(gender, age) AS by_place, gender, age, country, city, count(*) AS users
      FROM firsts GROUP BY GROUPING SETS ((gender, age), (country, city))
    ), people AS (
      SELECT gender, age, users FROM groups WHERE by_place = 0
    ), places AS (
      SELECT country, city, users FROM groups WHERE by_place = 3 AND country IS NOT NULL
    )
    ${facebookRowsSelect(limits)}`);
}

interface FollowersRow {
  users: string;
  average: string | null;
  median: number | null;
  min: number | null;
  max: number | null;
  buckets: string[];
}

/** Follower figures of the TikTok users with events in the range, from their earliest event in it. */
export async function rangeFollowerFigures(run: ReportQuery, range: Span): Promise<FollowerFigures> {
  const bucketCounts = FOLLOWER_BUCKET_FLOORS.map((floor, index) => {
    const ceiling = FOLLOWER_BUCKET_FLOORS[index + 1];
    const condition =
      ceiling === undefined
        ? Prisma.sql`followers >= ${floor}`
        : Prisma.sql`followers >= ${floor} AND followers < ${ceiling}`;
    return Prisma.sql`count(*) FILTER (WHERE ${condition})`;
  });
  const [row] = await run<FollowersRow>(Prisma.sql`${queued}, ${firstsInRange('tiktok', ['followers'], range)}
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

/** Top countries and every device of the TikTok users' earliest top-funnel events in the range. */
export function rangeTiktokPlaces(run: ReportQuery, range: Span, topCountries: number): Promise<TiktokPlaceRow[]> {
  return run<TiktokPlaceRow>(Prisma.sql`${queued}, ${firstsInRange('tiktok_top', ['country', 'device'], range)},
    countries AS (
      SELECT country AS value, count(*) AS users FROM firsts WHERE country IS NOT NULL GROUP BY country
    ), devices AS (
      SELECT device AS value, count(*) AS users FROM firsts WHERE device IS NOT NULL GROUP BY device
    )
    ${tiktokPlaceRowsSelect(topCountries)}`);
}
