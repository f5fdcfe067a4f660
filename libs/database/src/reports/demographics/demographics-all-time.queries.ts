import { FOLLOWER_BAND_WIDTH, demographicDeltaCtes, followerBandOf } from '../../demographics/demographics.sql';
import { Prisma } from '../../generated/prisma/client';
import { type ReportQuery } from '../shared/report.query';
import { type TopLimits, facebookRowsSelect, tiktokPlaceRowsSelect } from './demographics-rows.sql';
import {
  FOLLOWER_BUCKET_FLOORS,
  type FacebookRow,
  type FollowerFigures,
  type TiktokPlaceRow,
  bucketIndex,
} from './demographics.rows';

/**
 * Demographics of every user ever seen, from the read model (src/demographics): its counters plus,
 * on the fly, the changes of the events still queued for the indexer, all in the report's snapshot. So the figures
 * are exact at any indexer lag, and reading them costs a few thousand counter rows, not a pass over every event.
 */
const queuedChanges = Prisma.raw(`WITH ${demographicDeltaCtes('demographic_pending')}`);

/** A counter table plus the queued changes to it, summed per key: the users of each kind that have any. */
const counted = (table: string, deltas: string, keys: string) =>
  Prisma.raw(`SELECT ${keys}, sum(users) AS users
      FROM (SELECT ${keys}, users FROM ${table} UNION ALL SELECT ${keys}, users FROM ${deltas}) AS rows
      GROUP BY ${keys} HAVING sum(users) > 0`);

/** Users per (gender, age), top countries and top cities: the rows the range statement returns too. */
export function allTimeFacebookRows(run: ReportQuery, limits: TopLimits): Promise<FacebookRow[]> {
  return run<FacebookRow>(Prisma.sql`${queuedChanges},
    people AS (${counted('facebook_user_profiles', 'facebook_profile_deltas', 'gender, age')}),
    places AS (
      SELECT * FROM (${counted('facebook_user_places', 'facebook_place_deltas', 'country, city')}) AS counted
      WHERE country IS NOT NULL
    )
    ${facebookRowsSelect(limits)}`);
}

/** Top countries and every device of the users' earliest top-funnel events. */
export function allTimeTiktokPlaces(run: ReportQuery, topCountries: number): Promise<TiktokPlaceRow[]> {
  return run<TiktokPlaceRow>(Prisma.sql`${queuedChanges},
    places AS (${counted('tiktok_user_places', 'tiktok_place_deltas', 'country, device')}),
    countries AS (
      SELECT country AS value, sum(users) AS users FROM places WHERE country IS NOT NULL GROUP BY country
    ), devices AS (
      SELECT device AS value, sum(users) AS users FROM places WHERE device IS NOT NULL GROUP BY device
    )
    ${tiktokPlaceRowsSelect(topCountries)}`);
}

interface BandRow {
  /** NULL on the totals row. */
  band: number | null;
  users: string;
  /** Totals row only: the average followers, rounded to 2 places. */
  average: string | null;
}

interface ValueRow {
  followers: number;
  users: string;
}

/**
 * Follower statistics in two steps: users per band of FOLLOWER_BAND_WIDTH followers (with the total and the
 * average), which locates the minimum, the maximum and the middle users, then the exact values of those few bands
 * only. The median is that of `percentile_cont(0.5)`: the mean of the two middle values when the count is even.
 */
export async function allTimeFollowerFigures(run: ReportQuery): Promise<FollowerFigures> {
  const rows = await run<BandRow>(Prisma.sql`${queuedChanges},
    bands AS (
      SELECT band, sum(users) AS users, sum(followers_sum) AS followers_sum
      FROM (
        SELECT band, users, followers_sum FROM tiktok_user_follower_bands
        UNION ALL
        SELECT ${Prisma.raw(followerBandOf('followers'))}, users, coalesce(followers::numeric * users, 0) FROM tiktok_follower_deltas
      ) AS rows
      GROUP BY band HAVING sum(users) > 0
    )
    SELECT band, users::int8 AS users, NULL AS average FROM bands WHERE band IS NOT NULL
    UNION ALL
    SELECT NULL, coalesce(sum(users), 0)::int8,
      round(sum(followers_sum) FILTER (WHERE band IS NOT NULL) / nullif(sum(users) FILTER (WHERE band IS NOT NULL), 0), 2)::text
    FROM bands`);

  const totals = rows.find((row) => row.band === null);
  const bands = rows
    .filter((row): row is BandRow & { band: number } => row.band !== null)
    .map((row) => ({ band: row.band, users: Number(row.users) }))
    .sort((a, b) => a.band - b.band);
  const buckets = FOLLOWER_BUCKET_FLOORS.map(() => 0);
  for (const { band, users } of bands) {
    if (band >= 0) buckets[bucketIndex(FOLLOWER_BUCKET_FLOORS, band * FOLLOWER_BAND_WIDTH)]! += users;
  }
  const figures: FollowerFigures = {
    users: Number(totals?.users ?? 0),
    average: totals?.average == null ? null : Number(totals.average),
    median: null,
    min: null,
    max: null,
    buckets,
  };
  const counted = bands.reduce((sum, { users }) => sum + users, 0);
  if (counted === 0) return figures;

  // 0-based ranks of the lower and upper middle users, and the band each of the wanted users is in.
  const ranks = [0, Math.floor((counted - 1) / 2), Math.ceil((counted - 1) / 2), counted - 1];
  const located = ranks.map((rank) => {
    let before = 0;
    for (const { band, users } of bands) {
      if (rank < before + users) return { band, offset: rank - before };
      before += users;
    }
    throw new Error(`rank ${rank} is beyond the ${counted} users of the follower bands`);
  });
  const wanted = [...new Set(located.map(({ band }) => band))];
  const inWanted = (column: string) =>
    Prisma.join(
      wanted.map(
        (band) =>
          Prisma.sql`(${Prisma.raw(column)} >= ${band * FOLLOWER_BAND_WIDTH} AND ${Prisma.raw(column)} < ${(band + 1) * FOLLOWER_BAND_WIDTH})`,
      ),
      ' OR ',
    );
  const values = await run<ValueRow>(Prisma.sql`${queuedChanges},
    counted AS (
      SELECT followers, sum(users) AS users
      FROM (
        SELECT followers, users FROM tiktok_user_followers WHERE ${inWanted('followers')}
        UNION ALL
        SELECT followers, users FROM tiktok_follower_deltas WHERE ${inWanted('followers')}
      ) AS rows
      GROUP BY followers HAVING sum(users) > 0
    )
    SELECT followers, users::int8 AS users FROM counted ORDER BY followers`);

  const [lowest, lowerMiddle, upperMiddle, highest] = located.map(({ band, offset }) => {
    let before = 0;
    for (const row of values) {
      if (Math.floor(row.followers / FOLLOWER_BAND_WIDTH) !== band) continue;
      before += Number(row.users);
      if (offset < before) return row.followers;
    }
    throw new Error(`band ${band} holds fewer users than its count says`);
  });
  return { ...figures, min: lowest!, max: highest!, median: (lowerMiddle! + upperMiddle!) / 2 };
}
