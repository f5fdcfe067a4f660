/**
 * The demographics read model's formulas (tables in migration 20261205130000_partitioned_storage).
 *
 * Every event joins a chain per user: `facebook`, `tiktok`, and `tiktok_top` for TikTok's top-funnel events (the
 * only ones with country and device), stored as the codes of DEMOGRAPHIC_CHAINS. In `demographic_events` each event
 * carries the time of the previous event of its chain and user (by occurred_at, then event key), NULL for the user's
 * first, and `-infinity` when that previous event was dropped by retention: before every range, and not a first.
 * `demographic_users` holds every user of each chain with their first event, so finding whether a queued event's
 * user is new takes one probe, not one per partition. The counters hold, per kind, the users whose first event of the
 * chain is of that kind. Queued events change the model only around
 * themselves, so folding them in is order-independent, and a duplicate (never queued: the writer queues inserted
 * rows only) cannot count twice.
 *
 * `demographicDeltaCtes(queue)` links the events of the queue rows of relation `queue` (columns `event_ids`, `occurred_ats`) into the
 * chains and turns the users' changed first events into signed counter changes. The indexer applies both for good,
 * and a reader adds the changes to the counters on the fly, so both follow one formula.
 */

/** Followers per band of `tiktok_user_follower_bands`; a multiple of every follower-bucket boundary of the report. */
export const FOLLOWER_BAND_WIDTH = 1_000;

/** `followers` as its band number: floor division, so bands keep the order of values (negatives included). */
export const followerBandOf = (column: string) => `floor(${column} / ${FOLLOWER_BAND_WIDTH}.0)::int`;

/** The chains' codes in column `chain` of `demographic_events` and `demographic_users`. */
export const DEMOGRAPHIC_CHAINS = { facebook: 1, tiktok: 2, tiktok_top: 3 } as const;
export type DemographicChain = keyof typeof DEMOGRAPHIC_CHAINS;

/** The columns an event of the chains carries besides its place in the chain. */
const DESCRIPTION = ['gender', 'age', 'country', 'city', 'followers', 'device'] as const;
const description = DESCRIPTION.join(', ');
const qualified = (alias: string) => DESCRIPTION.map((column) => `${alias}.${column}`).join(', ');
const { facebook, tiktok, tiktok_top: tiktokTop } = DEMOGRAPHIC_CHAINS;

/**
 * WITH-list entry `queued_events`: the stored events that the queue rows of relation `queue` name. Each key is looked
 * up with its time (a LATERAL probe), so only the key index of its own partition is read.
 */
export function queuedEventsCte(queue: string): string {
  return `queued_events AS (
  SELECT e.source, e.user_id, e.occurred_at, e.event_id, e.funnel_stage, ${qualified('e')}
  FROM ${queue} AS q
  CROSS JOIN LATERAL unnest(q.event_ids, q.occurred_ats) AS queued(event_id, occurred_at)
  CROSS JOIN LATERAL (
    SELECT * FROM events AS s WHERE s.event_id = queued.event_id AND s.occurred_at = queued.occurred_at LIMIT 1
  ) AS e
)`;
}

/**
 * WITH-list entries over `queue`, none of them writing: `queued_events`; `queued_links`, the queued events per chain;
 * `linked`, each queued event and each chained event whose predecessor changes (`queued` false), with the new
 * `prev_at` and the old one (`old_prev_at`); and the signed counter changes `facebook_profile_deltas (gender, age,
 * users)`, `facebook_place_deltas (country, city, users)`, `tiktok_follower_deltas (followers, users)` and
 * `tiktok_place_deltas (country, device, users)`.
 *
 * Only the neighbours of the queued events are read, and only for users the chain already holds: the predecessor of
 * a queued event is either queued too or the nearest chained event before it, and a chained event whose predecessor
 * changes is the nearest chained event after a queued one. A returning user's queued event with neither, yet after
 * the user's first event, follows an event retention dropped: its `prev_at` is `-infinity`.
 */
export function demographicDeltaCtes(queue: string): string {
  const neighbour = (direction: '<' | '>', order: 'ASC' | 'DESC', bound: string) => `SELECT q.chain, n.*
  FROM returning_links AS q
  CROSS JOIN LATERAL (
    SELECT d.user_id, d.occurred_at, d.event_id, d.prev_at, ${qualified('d')} FROM demographic_events AS d
    WHERE d.chain = q.chain AND d.user_id = q.user_id AND ${bound}
      AND (d.occurred_at, d.event_id) ${direction} (q.occurred_at, q.event_id)
    ORDER BY d.occurred_at ${order}, d.event_id ${order} LIMIT 1
  ) AS n`;
  const firstsOf = (chain: number, columns: string) => `SELECT ${columns}, 1 AS users FROM linked
  WHERE chain = ${chain} AND queued AND prev_at IS NULL
  UNION ALL
  SELECT ${columns}, -1 FROM linked
  WHERE chain = ${chain} AND NOT queued AND old_prev_at IS NULL AND prev_at IS NOT NULL`;
  return `${queuedEventsCte(queue)},
queued_links AS (
  SELECT CASE source WHEN 'facebook' THEN ${facebook} ELSE ${tiktok} END::smallint AS chain, user_id, occurred_at,
    event_id, ${description}
  FROM queued_events
  UNION ALL
  SELECT ${tiktokTop}::smallint, user_id, occurred_at, event_id, ${description} FROM queued_events
  WHERE source = 'tiktok' AND funnel_stage = 'top'
),
returning_links AS (
  SELECT q.*, u.first_at, u.first_event_id FROM queued_links AS q
  CROSS JOIN LATERAL (
    SELECT first_at, first_event_id FROM demographic_users AS u WHERE u.chain = q.chain AND u.user_id = q.user_id
  ) AS u
),
neighbours AS (
  SELECT chain, user_id, occurred_at, event_id, prev_at, ${description}, bool_or(later) AS later
  FROM (
    SELECT *, true AS later FROM (${neighbour('>', 'ASC', 'd.occurred_at >= q.occurred_at')}) AS after_queued
    UNION ALL
    SELECT *, false FROM (${neighbour('<', 'DESC', 'd.occurred_at <= q.occurred_at AND d.occurred_at >= q.first_at')}) AS before_queued
  ) AS found
  GROUP BY chain, user_id, occurred_at, event_id, prev_at, ${description}
),
merged AS (
  SELECT q.chain, q.user_id, q.occurred_at, q.event_id, NULL::timestamptz AS old_prev_at, ${qualified('q')}, true AS queued,
    false AS later, r.first_at, r.first_event_id
  FROM queued_links AS q
  LEFT JOIN returning_links AS r ON r.chain = q.chain AND r.user_id = q.user_id AND r.occurred_at = q.occurred_at
    AND r.event_id = q.event_id
  UNION ALL
  SELECT chain, user_id, occurred_at, event_id, prev_at, ${description}, false, later, NULL, NULL FROM neighbours
),
linked AS (
  SELECT * FROM (
    SELECT chain, user_id, occurred_at, event_id, old_prev_at, ${description}, queued, later,
      CASE
        WHEN lagged IS NOT NULL THEN lagged
        WHEN first_at IS NOT NULL AND (occurred_at, event_id) > (first_at, first_event_id) THEN '-infinity'::timestamptz
      END AS prev_at
    FROM (
      SELECT *, lag(occurred_at) OVER (PARTITION BY chain, user_id ORDER BY occurred_at, event_id) AS lagged FROM merged
    ) AS chained
  ) AS placed
  WHERE queued OR (later AND prev_at IS DISTINCT FROM old_prev_at)
),
facebook_profile_deltas AS (
  ${firstsOf(facebook, 'gender, age')}
),
facebook_place_deltas AS (
  ${firstsOf(facebook, 'country, city')}
),
tiktok_follower_deltas AS (
  ${firstsOf(tiktok, 'followers')}
),
tiktok_place_deltas AS (
  ${firstsOf(tiktokTop, 'country, device')}
)`;
}

/**
 * Folds the oldest `$1` queue rows into the read model and removes them, in one statement. Only one indexer may run
 * it at a time (see DemographicsIndexer): the changes are computed against the model as this statement sees it.
 * Returns the queue rows and events folded in.
 */
export const APPLY_DEMOGRAPHIC_QUEUE_SQL = `WITH batch AS (
  SELECT id, event_ids, occurred_ats FROM demographic_pending ORDER BY id LIMIT $1
),
${demographicDeltaCtes('batch')},
upsert_users AS (
  INSERT INTO demographic_users AS u (chain, user_id, first_at, first_event_id)
  SELECT DISTINCT ON (chain, user_id) chain, user_id, occurred_at, event_id FROM queued_links
  ORDER BY chain, user_id, occurred_at, event_id
  ON CONFLICT (chain, user_id) DO UPDATE SET first_at = EXCLUDED.first_at, first_event_id = EXCLUDED.first_event_id
    WHERE (EXCLUDED.first_at, EXCLUDED.first_event_id) < (u.first_at, u.first_event_id)
),
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
  'demographic_users',
  'facebook_user_profiles',
  'facebook_user_places',
  'tiktok_user_followers',
  'tiktok_user_follower_bands',
  'tiktok_user_places',
  'demographic_pending',
] as const;

/**
 * Empties the read model and queues every stored event, 5,000 a queue row, as the batch writer would have. For bulk
 * loads that bypass the batch writer (the seeder).
 */
export const REQUEUE_ALL_EVENTS_SQL = `TRUNCATE ${DEMOGRAPHIC_TABLES.join(', ')};
INSERT INTO demographic_pending (event_ids, occurred_ats)
SELECT array_agg(event_id), array_agg(occurred_at)
FROM (SELECT event_id, occurred_at, (row_number() OVER ()) / 5000 AS chunk FROM events) AS numbered
GROUP BY chunk ORDER BY chunk`;
