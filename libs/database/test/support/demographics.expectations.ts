import type { Pool } from 'pg';

export interface DemographicsSnapshot {
  chains: string[];
  users: string[];
  facebookProfiles: string[];
  facebookPlaces: string[];
  tiktokFollowers: string[];
  tiktokFollowerBands: string[];
  tiktokPlaces: string[];
}

const lines = async (pool: Pool, sql: string) => (await pool.query<{ line: string }>(sql)).rows.map((row) => row.line);

/** A counter table's rows with users as sorted text lines: `columns` joined by '|'. */
const counterLines = (pool: Pool, table: string, columns: string) =>
  lines(
    pool,
    `SELECT format('${columns
      .split(', ')
      .map(() => '%s')
      .join('|')}', ${columns}) AS line FROM ${table} WHERE users <> 0 ORDER BY 1`,
  );

/**
 * The demographics read model as sorted text lines (counters that came back to zero left out): `chains` the events
 * that are not their user's first, `users` the first events.
 */
export async function readDemographics(pool: Pool): Promise<DemographicsSnapshot> {
  return {
    chains: await lines(
      pool,
      `SELECT format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', chain, user_id, occurred_at, event_id, prev_at, gender, age,
         country, city, followers, device) AS line
       FROM demographic_events ORDER BY 1`,
    ),
    users: await lines(
      pool,
      `SELECT format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', chain, user_id, first_at, first_event_id, gender, age, country,
         city, followers, device) AS line
       FROM demographic_users ORDER BY 1`,
    ),
    facebookProfiles: await counterLines(pool, 'facebook_user_profiles', 'gender, age, users'),
    facebookPlaces: await counterLines(pool, 'facebook_user_places', 'country, city, users'),
    tiktokFollowers: await counterLines(pool, 'tiktok_user_followers', 'followers, users'),
    tiktokFollowerBands: await counterLines(pool, 'tiktok_user_follower_bands', 'band, users, followers_sum'),
    tiktokPlaces: await counterLines(pool, 'tiktok_user_places', 'country, device, users'),
  };
}

/**
 * What the read model must hold, computed from the rows of `events` in one pass of plain SQL (written out here
 * rather than reusing the library's incremental formulas, so a wrong formula there cannot agree with itself).
 */
export async function expectedDemographics(pool: Pool): Promise<DemographicsSnapshot> {
  const firsts = `SELECT DISTINCT ON (source, user_id) * FROM events ORDER BY source, user_id, occurred_at, event_id`;
  const tops = `SELECT DISTINCT ON (user_id) * FROM events WHERE source = 'tiktok' AND funnel_stage = 'top'
    ORDER BY user_id, occurred_at, event_id`;
  // Chain codes: 1 facebook, 2 tiktok, 3 TikTok's top funnel.
  const chained = `SELECT CASE source WHEN 'facebook' THEN 1 ELSE 2 END AS chain, * FROM events
    UNION ALL SELECT 3, * FROM events WHERE source = 'tiktok' AND funnel_stage = 'top'`;
  return {
    chains: await lines(
      pool,
      `SELECT format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', chain, user_id, occurred_at, event_id, prev_at, gender, age,
         country, city, followers, device) AS line
       FROM (
         SELECT *, lag(occurred_at) OVER (PARTITION BY chain, user_id ORDER BY occurred_at, event_id) AS prev_at
         FROM (${chained}) AS e
       ) AS linked
       WHERE prev_at IS NOT NULL ORDER BY 1`,
    ),
    users: await lines(
      pool,
      `SELECT format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', chain, user_id, occurred_at, event_id, gender, age, country, city,
         followers, device) AS line
       FROM (SELECT DISTINCT ON (chain, user_id) * FROM (${chained}) AS e ORDER BY chain, user_id, occurred_at, event_id) AS f
       ORDER BY 1`,
    ),
    facebookProfiles: await lines(
      pool,
      `SELECT format('%s|%s|%s', gender, age, count(*)) AS line FROM (${firsts}) AS f WHERE source = 'facebook' GROUP BY gender, age ORDER BY 1`,
    ),
    facebookPlaces: await lines(
      pool,
      `SELECT format('%s|%s|%s', country, city, count(*)) AS line FROM (${firsts}) AS f WHERE source = 'facebook' GROUP BY country, city ORDER BY 1`,
    ),
    tiktokFollowers: await lines(
      pool,
      `SELECT format('%s|%s', followers, count(*)) AS line FROM (${firsts}) AS f WHERE source = 'tiktok' GROUP BY followers ORDER BY 1`,
    ),
    tiktokFollowerBands: await lines(
      pool,
      `SELECT format('%s|%s|%s', followers / 1000, count(*), coalesce(sum(followers), 0)) AS line FROM (${firsts}) AS f
       WHERE source = 'tiktok' GROUP BY followers / 1000 ORDER BY 1`,
    ),
    tiktokPlaces: await lines(
      pool,
      `SELECT format('%s|%s|%s', country, device, count(*)) AS line FROM (${tops}) AS t GROUP BY country, device ORDER BY 1`,
    ),
  };
}
