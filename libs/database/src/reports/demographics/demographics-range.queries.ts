import { DEMOGRAPHIC_CHAINS, type DemographicChain, queuedLinksCte } from '../../demographics/demographics.sql';
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
 * the read model (src/demographics): a user's earliest event in `[from, to)` is either their first event, when
 * `first_at` is in the range (`demographic_users`), or else the chained event in the range whose previous event is
 * before `from` (`demographic_events`); exactly one of the two holds for each user with events in the range. The
 * events still queued for the indexer are added in the report's snapshot: a user with queued events in the range
 * takes the earliest of those and of their modelled ones, so the figures are exact at any indexer lag.
 */
const queued = Prisma.raw(`WITH ${queuedLinksCte('demographic_pending')}`);

/** A literal, not a parameter: the planner must match each chain's partial index of demographic_events at plan time. */
const chainCode = (chain: DemographicChain) => Prisma.raw(String(DEMOGRAPHIC_CHAINS[chain]));

/**
 * The modelled earliest events in the range of the users of `chain` (all of them, or only `user` given as
 * `<alias>.user_id`): `user_id, occurred_at, event_id` and `columns`.
 */
function modelledFirsts(chain: DemographicChain, columns: readonly string[], range: Span, user?: string): Prisma.Sql {
  const list = Prisma.raw(columns.join(', '));
  const chainLiteral = chainCode(chain);
  const ofUser = user === undefined ? Prisma.empty : Prisma.sql`AND user_id = ${Prisma.raw(user)}`;
  const newUsers = Prisma.sql`SELECT user_id, first_at AS occurred_at, first_event_id AS event_id, ${list}
      FROM demographic_users WHERE chain = ${chainLiteral} ${ofUser} AND ${withinSpans('first_at', [range])}`;
  // Without a lower bound every user in the range is described by their first event.
  if (range.from === undefined) return newUsers;
  return Prisma.sql`${newUsers}
      UNION ALL
      SELECT user_id, occurred_at, event_id, ${list} FROM demographic_events
      WHERE chain = ${chainLiteral} ${ofUser} AND ${withinSpans('occurred_at', [range])}
        AND prev_at < ${instantSql(range.from)}`;
}

/** WITH-list entries that end in `firsts (columns…)`: one row per user of `chain` with events in the range. */
function firstsInRange(chain: DemographicChain, columns: readonly string[], range: Span): Prisma.Sql {
  const list = Prisma.raw(columns.join(', '));
  return Prisma.sql`
    modelled AS (${modelledFirsts(chain, columns, range)}),
    queued_in_range AS (
      SELECT user_id, occurred_at, event_id, ${list} FROM queued_links
      WHERE chain = ${chainCode(chain)} AND ${withinSpans('occurred_at', [range])}
    ),
    firsts AS (
      SELECT ${list} FROM modelled AS m WHERE NOT EXISTS (SELECT 1 FROM queued_in_range AS q WHERE q.user_id = m.user_id)
      UNION ALL
      SELECT ${list} FROM (
        SELECT DISTINCT ON (user_id) * FROM (
          SELECT q.* FROM queued_in_range AS q
          UNION ALL
          SELECT m.* FROM (SELECT DISTINCT user_id FROM queued_in_range) AS u
          CROSS JOIN LATERAL (${modelledFirsts(chain, columns, range, 'u.user_id')}) AS m
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
