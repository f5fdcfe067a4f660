/**
 * The demographics read model's formulas (tables in migration 20261122070000_demographics_read_model). A user is
 * described by their earliest event (by occurred_at, then event id, byte order), and for TikTok places by their
 * earliest top-funnel event. Queued events change the model only where they are earlier than what it holds, so
 * folding them in is order-independent and a duplicate (never queued: the writer queues inserted rows only) cannot
 * count twice.
 *
 * `demographicDeltaCtes(queue)` turns the queue rows of relation `queue` (column `event_ids`) into signed changes
 * of the four counter tables. The indexer applies them for good, and a reader adds them to the counters on the fly,
 * so both follow one formula.
 */

/** Followers per band of `tiktok_user_follower_bands`; a multiple of every follower-bucket boundary of the report. */
export const FOLLOWER_BAND_WIDTH = 1_000;

/** `followers` as its band number: floor division, so bands keep the order of values (negatives included). */
export const followerBandOf = (column: string) => `floor(${column} / ${FOLLOWER_BAND_WIDTH}.0)::int`;

/** WITH-list entry `queued_events`: the stored events that the queue rows of relation `queue` name. */
export function queuedEventsCte(queue: string): string {
  return `queued_events AS (
  SELECT e.source, e.user_id COLLATE "C" AS user_id, e.occurred_at, e.event_id, e.funnel_stage,
    e.gender, e.age, e.country, e.city, e.followers, e.device
  FROM ${queue} AS q
  CROSS JOIN LATERAL unnest(q.event_ids) AS queued(event_id)
  JOIN events AS e ON e.event_id = queued.event_id COLLATE "C"
)`;
}

/**
 * WITH-list entries over `queue`: `queued_events`, `first_any`, `first_top`, `demographic_changes` (one row per
 * user whose earliest event or earliest top-funnel event moves, with the old and the new description), and the
 * signed counter changes `facebook_profile_deltas (gender, age, users)`, `facebook_place_deltas (country, city,
 * users)`, `tiktok_follower_deltas (followers, users)` and `tiktok_place_deltas (country, device, users)`.
 */
export function demographicDeltaCtes(queue: string): string {
  return `${queuedEventsCte(queue)},
first_any AS (
  SELECT DISTINCT ON (source, user_id) * FROM queued_events ORDER BY source, user_id, occurred_at, event_id
),
first_top AS (
  SELECT DISTINCT ON (user_id) user_id, occurred_at, event_id, country, device FROM queued_events
  WHERE source = 'tiktok' AND funnel_stage = 'top'
  ORDER BY user_id, occurred_at, event_id
),
compared AS (
  SELECT a.*, u.user_id IS NOT NULL AS known, u.top_at IS NOT NULL AS had_top,
    (u.user_id IS NULL OR (a.occurred_at, a.event_id) < (u.first_at, u.first_event_id)) AS first_moved,
    (t.user_id IS NOT NULL AND (u.top_at IS NULL OR (t.occurred_at, t.event_id) < (u.top_at, u.top_event_id))) AS top_moved,
    t.occurred_at AS new_top_at, t.event_id AS new_top_event_id, t.country AS new_top_country, t.device AS new_top_device,
    u.first_at AS old_first_at, u.first_event_id AS old_first_event_id, u.gender AS old_gender, u.age AS old_age,
    u.country AS old_country, u.city AS old_city, u.followers AS old_followers,
    u.top_at AS old_top_at, u.top_event_id AS old_top_event_id, u.top_country AS old_top_country, u.top_device AS old_top_device
  FROM first_any AS a
  LEFT JOIN first_top AS t ON a.source = 'tiktok' AND t.user_id = a.user_id
  LEFT JOIN demographic_users AS u ON u.source = a.source AND u.user_id = a.user_id
),
demographic_changes AS (
  SELECT * FROM compared WHERE first_moved OR top_moved
),
facebook_profile_deltas AS (
  SELECT gender, age, 1 AS users FROM demographic_changes WHERE source = 'facebook' AND first_moved
  UNION ALL
  SELECT old_gender, old_age, -1 FROM demographic_changes WHERE source = 'facebook' AND first_moved AND known
),
facebook_place_deltas AS (
  SELECT country, city, 1 AS users FROM demographic_changes WHERE source = 'facebook' AND first_moved
  UNION ALL
  SELECT old_country, old_city, -1 FROM demographic_changes WHERE source = 'facebook' AND first_moved AND known
),
tiktok_follower_deltas AS (
  SELECT followers, 1 AS users FROM demographic_changes WHERE source = 'tiktok' AND first_moved
  UNION ALL
  SELECT old_followers, -1 FROM demographic_changes WHERE source = 'tiktok' AND first_moved AND known
),
tiktok_place_deltas AS (
  SELECT new_top_country AS country, new_top_device AS device, 1 AS users FROM demographic_changes WHERE top_moved
  UNION ALL
  SELECT old_top_country, old_top_device, -1 FROM demographic_changes WHERE top_moved AND had_top
)`;
}

/**
 * WITH-list entries that link the events of `queued_events` into `demographic_events`: each queued event gets the time
 * of its predecessor, and an event already there whose predecessor is now a queued event gets that one's time.
 * Only the neighbours of the queued events are read (the nearest event before and after each, per chain): the
 * predecessor of a queued event is either queued too or its nearest earlier neighbour, and an existing event
 * whose predecessor changes is the nearest later neighbour of the queued event that now precedes it.
 */
function chainCtes(): string {
  const columns = 'gender, age, country, city, followers, device';
  const neighbour = (
    direction: '<' | '>',
    order: 'ASC' | 'DESC',
  ) => `SELECT q.chain, n.user_id, n.occurred_at, n.event_id
  FROM queued_links AS q
  CROSS JOIN LATERAL (
    SELECT d.user_id, d.occurred_at, d.event_id FROM demographic_events AS d
    WHERE d.chain = q.chain AND d.user_id = q.user_id AND (d.occurred_at, d.event_id) ${direction} (q.occurred_at, q.event_id)
    ORDER BY d.occurred_at ${order}, d.event_id ${order} LIMIT 1
  ) AS n`;
  return `queued_links AS (
  SELECT source AS chain, user_id, occurred_at, event_id, ${columns} FROM queued_events
  UNION ALL
  SELECT 'tiktok_top', user_id, occurred_at, event_id, ${columns} FROM queued_events WHERE source = 'tiktok' AND funnel_stage = 'top'
),
neighbours AS (
  SELECT chain, user_id, occurred_at, event_id, bool_or(later) AS later
  FROM (
    SELECT *, true AS later FROM (${neighbour('>', 'ASC')}) AS after_queued
    UNION ALL
    SELECT *, false FROM (${neighbour('<', 'DESC')}) AS before_queued
  ) AS found
  GROUP BY chain, user_id, occurred_at, event_id
),
linked AS (
  SELECT *, lag(occurred_at) OVER (PARTITION BY chain, user_id ORDER BY occurred_at, event_id) AS prev_at
  FROM (
    SELECT chain, user_id, occurred_at, event_id, true AS queued, false AS later FROM queued_links
    UNION ALL
    SELECT chain, user_id, occurred_at, event_id, false, later FROM neighbours
  ) AS merged
),
insert_links AS (
  INSERT INTO demographic_events (chain, user_id, occurred_at, event_id, prev_at, ${columns})
  SELECT q.chain, q.user_id, q.occurred_at, q.event_id, l.prev_at, ${columns
    .split(', ')
    .map((column) => `q.${column}`)
    .join(', ')}
  FROM queued_links AS q JOIN linked AS l USING (chain, user_id, occurred_at, event_id)
  WHERE l.queued
  ORDER BY q.chain, q.user_id, q.occurred_at, q.event_id
),
relink AS (
  UPDATE demographic_events AS d SET prev_at = l.prev_at
  FROM linked AS l
  WHERE l.later AND NOT l.queued AND d.chain = l.chain AND d.user_id = l.user_id AND d.occurred_at = l.occurred_at
    AND d.event_id = l.event_id AND d.prev_at IS DISTINCT FROM l.prev_at
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
${chainCtes()},
upsert_users AS (
  INSERT INTO demographic_users AS u (source, user_id, first_at, first_event_id, gender, age, country, city, followers,
    top_at, top_event_id, top_country, top_device)
  SELECT source, user_id,
    CASE WHEN first_moved THEN occurred_at ELSE old_first_at END,
    CASE WHEN first_moved THEN event_id ELSE old_first_event_id END,
    CASE WHEN first_moved THEN gender ELSE old_gender END,
    CASE WHEN first_moved THEN age ELSE old_age END,
    CASE WHEN first_moved THEN country ELSE old_country END,
    CASE WHEN first_moved THEN city ELSE old_city END,
    CASE WHEN first_moved THEN followers ELSE old_followers END,
    CASE WHEN top_moved THEN new_top_at ELSE old_top_at END,
    CASE WHEN top_moved THEN new_top_event_id ELSE old_top_event_id END,
    CASE WHEN top_moved THEN new_top_country ELSE old_top_country END,
    CASE WHEN top_moved THEN new_top_device ELSE old_top_device END
  FROM demographic_changes
  ORDER BY source, user_id
  ON CONFLICT (source, user_id) DO UPDATE SET
    first_at = EXCLUDED.first_at, first_event_id = EXCLUDED.first_event_id, gender = EXCLUDED.gender,
    age = EXCLUDED.age, country = EXCLUDED.country, city = EXCLUDED.city, followers = EXCLUDED.followers,
    top_at = EXCLUDED.top_at, top_event_id = EXCLUDED.top_event_id, top_country = EXCLUDED.top_country,
    top_device = EXCLUDED.top_device
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
  'demographic_users',
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
