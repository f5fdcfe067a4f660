/**
 * The demographics read model's formulas (tables in migration 20261122070000_demographics_read_model).
 *
 * Every event joins a chain per user: `facebook`, `tiktok`, and `tiktok_top` for TikTok's top-funnel events (the
 * only ones with country and device). In `demographic_events` each event carries the time of the previous event of
 * its chain and user (by occurred_at, then event id, byte order), NULL for the user's first. The counters hold, per
 * kind, the users whose first event of the chain is of that kind. Queued events change the model only around
 * themselves, so folding them in is order-independent, and a duplicate (never queued: the writer queues inserted
 * rows only) cannot count twice.
 *
 * `demographicDeltaCtes(queue)` links the events of the queue rows of relation `queue` (column `event_ids`) into the
 * chains and turns the users' changed first events into signed counter changes. The indexer applies both for good,
 * and a reader adds the changes to the counters on the fly, so both follow one formula.
 */

/** Followers per band of `tiktok_user_follower_bands`; a multiple of every follower-bucket boundary of the report. */
export const FOLLOWER_BAND_WIDTH = 1_000;

/** `followers` as its band number: floor division, so bands keep the order of values (negatives included). */
export const followerBandOf = (column: string) => `floor(${column} / ${FOLLOWER_BAND_WIDTH}.0)::int`;

/** The columns an event of the chains carries besides its place in the chain. */
const DESCRIPTION = ['gender', 'age', 'country', 'city', 'followers', 'device'] as const;
const description = DESCRIPTION.join(', ');
const qualified = (alias: string) => DESCRIPTION.map((column) => `${alias}.${column}`).join(', ');

/** WITH-list entry `queued_events`: the stored events that the queue rows of relation `queue` name. */
export function queuedEventsCte(queue: string): string {
  return `queued_events AS (
  SELECT e.source, e.user_id COLLATE "C" AS user_id, e.occurred_at, e.event_id, e.funnel_stage, ${qualified('e')}
  FROM ${queue} AS q
  CROSS JOIN LATERAL unnest(q.event_ids) AS queued(event_id)
  JOIN events AS e ON e.event_id = queued.event_id COLLATE "C"
)`;
}

/**
 * WITH-list entries over `queue`, none of them writing: `queued_events`; `linked`, each queued event and each
 * chained event whose predecessor changes (`queued` false), with the new `prev_at` and the old one (`old_prev_at`);
 * and the signed counter changes `facebook_profile_deltas (gender, age, users)`, `facebook_place_deltas (country,
 * city, users)`, `tiktok_follower_deltas (followers, users)` and `tiktok_place_deltas (country, device, users)`.
 *
 * Only the neighbours of the queued events are read, and only for users the chain already holds: the predecessor of
 * a queued event is either queued too or the nearest chained event before it, and a chained event whose predecessor
 * changes is the nearest chained event after a queued one.
 */
export function demographicDeltaCtes(queue: string): string {
  const neighbour = (direction: '<' | '>', order: 'ASC' | 'DESC') => `SELECT q.chain, n.*
  FROM returning_links AS q
  CROSS JOIN LATERAL (
    SELECT d.user_id, d.occurred_at, d.event_id, d.prev_at, ${qualified('d')} FROM demographic_events AS d
    WHERE d.chain = q.chain AND d.user_id = q.user_id AND (d.occurred_at, d.event_id) ${direction} (q.occurred_at, q.event_id)
    ORDER BY d.occurred_at ${order}, d.event_id ${order} LIMIT 1
  ) AS n`;
  const firstsOf = (chain: string, columns: string) => `SELECT ${columns}, 1 AS users FROM linked
  WHERE chain = '${chain}' AND queued AND prev_at IS NULL
  UNION ALL
  SELECT ${columns}, -1 FROM linked
  WHERE chain = '${chain}' AND NOT queued AND old_prev_at IS NULL AND prev_at IS NOT NULL`;
  return `${queuedEventsCte(queue)},
queued_links AS (
  SELECT source AS chain, user_id, occurred_at, event_id, ${description} FROM queued_events
  UNION ALL
  SELECT 'tiktok_top', user_id, occurred_at, event_id, ${description} FROM queued_events
  WHERE source = 'tiktok' AND funnel_stage = 'top'
),
returning_links AS (
  SELECT * FROM queued_links AS q
  WHERE EXISTS (SELECT 1 FROM demographic_events AS d WHERE d.chain = q.chain AND d.user_id = q.user_id)
),
neighbours AS (
  SELECT chain, user_id, occurred_at, event_id, prev_at, ${description}, bool_or(later) AS later
  FROM (
    SELECT *, true AS later FROM (${neighbour('>', 'ASC')}) AS after_queued
    UNION ALL
    SELECT *, false FROM (${neighbour('<', 'DESC')}) AS before_queued
  ) AS found
  GROUP BY chain, user_id, occurred_at, event_id, prev_at, ${description}
),
merged AS (
  SELECT chain, user_id, occurred_at, event_id, NULL::timestamptz AS old_prev_at, ${description}, true AS queued, false AS later
  FROM queued_links
  UNION ALL
  SELECT chain, user_id, occurred_at, event_id, prev_at, ${description}, false, later FROM neighbours
),
linked AS (
  SELECT * FROM (
    SELECT *, lag(occurred_at) OVER (PARTITION BY chain, user_id ORDER BY occurred_at, event_id) AS prev_at FROM merged
  ) AS chained
  WHERE queued OR (later AND prev_at IS DISTINCT FROM old_prev_at)
),
facebook_profile_deltas AS (
  ${firstsOf('facebook', 'gender, age')}
),
facebook_place_deltas AS (
  ${firstsOf('facebook', 'country, city')}
),
tiktok_follower_deltas AS (
  ${firstsOf('tiktok', 'followers')}
),
tiktok_place_deltas AS (
  ${firstsOf('tiktok_top', 'country, device')}
)`;
}

/**
 * Folds the oldest `$1` queue rows into the read model and removes them, in one statement. Only one indexer may run
 * it at a time (see DemographicsIndexer): the changes are computed against the model as this statement sees it.
 * Returns the queue rows and events folded in.
 */
export const APPLY_DEMOGRAPHIC_QUEUE_SQL = `WITH batch AS (
  SELECT id, event_ids FROM demographic_pending ORDER BY id LIMIT $1
),
${demographicDeltaCtes('batch')},
insert_links AS (
  INSERT INTO demographic_events (chain, user_id, occurred_at, event_id, prev_at, ${description})
  SELECT chain, user_id, occurred_at, event_id, prev_at, ${description} FROM linked
  WHERE queued
  ORDER BY chain, user_id, occurred_at, event_id
),
relink AS (
  UPDATE demographic_events AS d SET prev_at = l.prev_at
  FROM linked AS l
  WHERE NOT l.queued AND d.chain = l.chain AND d.user_id = l.user_id AND d.occurred_at = l.occurred_at
    AND d.event_id = l.event_id
),
upsert_facebook_profiles AS (
  INSERT INTO facebook_user_profiles AS t (gender, age, users)
  SELECT gender, age, sum(users) FROM facebook_profile_deltas GROUP BY 1, 2
  ON CONFLICT (gender, age) DO UPDATE SET users = t.users + EXCLUDED.users
),
upsert_facebook_places AS (
  INSERT INTO facebook_user_places AS t (country, city, users)
  SELECT country, city, sum(users) FROM facebook_place_deltas GROUP BY 1, 2
  ON CONFLICT (country, city) DO UPDATE SET users = t.users + EXCLUDED.users
),
upsert_tiktok_followers AS (
  INSERT INTO tiktok_user_followers AS t (followers, users)
  SELECT followers, sum(users) FROM tiktok_follower_deltas GROUP BY 1
  ON CONFLICT (followers) DO UPDATE SET users = t.users + EXCLUDED.users
),
upsert_tiktok_follower_bands AS (
  INSERT INTO tiktok_user_follower_bands AS t (band, users, followers_sum)
  SELECT ${followerBandOf('followers')}, sum(users), coalesce(sum(followers::numeric * users), 0)
  FROM tiktok_follower_deltas GROUP BY 1
  ON CONFLICT (band) DO UPDATE SET users = t.users + EXCLUDED.users, followers_sum = t.followers_sum + EXCLUDED.followers_sum
),
upsert_tiktok_places AS (
  INSERT INTO tiktok_user_places AS t (country, device, users)
  SELECT country, device, sum(users) FROM tiktok_place_deltas GROUP BY 1, 2
  ON CONFLICT (country, device) DO UPDATE SET users = t.users + EXCLUDED.users
),
dequeued AS (
  DELETE FROM demographic_pending WHERE id IN (SELECT id FROM batch) RETURNING id
)
SELECT (SELECT count(*) FROM dequeued)::int AS batches, (SELECT count(*) FROM queued_events)::int AS events`;

/** The tables of the read model, the queue last. */
export const DEMOGRAPHIC_TABLES = [
  'demographic_events',
  'facebook_user_profiles',
  'facebook_user_places',
  'tiktok_user_followers',
  'tiktok_user_follower_bands',
  'tiktok_user_places',
  'demographic_pending',
] as const;

/**
 * Empties the read model and queues every stored event, 5,000 ids a queue row, as the migration that created the
 * model does for the events already stored then. For bulk loads that bypass the batch writer (the seeder).
 */
export const REQUEUE_ALL_EVENTS_SQL = `TRUNCATE ${DEMOGRAPHIC_TABLES.join(', ')};
INSERT INTO demographic_pending (event_ids)
SELECT array_agg(event_id) FROM (SELECT event_id, (row_number() OVER ()) / 5000 AS chunk FROM events) AS numbered
GROUP BY chunk ORDER BY chunk`;
