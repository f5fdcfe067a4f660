/**
 * The demographics read model's formulas (tables in migrations 20261205130000_partitioned_storage and
 * 20261206020000_demographic_user_firsts).
 *
 * Every event joins a chain per user: `facebook`, `tiktok`, and `tiktok_top` for TikTok's top-funnel events (the
 * only ones with country and device), stored as the codes of DEMOGRAPHIC_CHAINS. `demographic_users` holds every user
 * of each chain with their first event and its description, for good (retention never drops it): whether a queued
 * event's user is new takes one probe, and a range's new users are read by `first_at`. `demographic_events` holds the
 * other events only (with real traffic, nearly none: most users are seen once), each with the time of the previous
 * event of its chain and user (by occurred_at, then event key), so a returning user's earliest event in a range is
 * the one whose `prev_at` is before the range. An event whose predecessors retention dropped gets the first event's
 * time (the first is kept, and only ranges after the dropped partitions can be asked for), and rows moved over from
 * before migration 20261206020000 may carry `-infinity` there: both are before every range that can be asked for.
 * The counters hold, per kind, the users whose first event of the chain is of that kind. Queued events change the
 * model only around themselves, so folding them in is order-independent, and a duplicate (never queued: the writer
 * queues inserted rows only) cannot count twice.
 *
 * `demographicDeltaCtes(queue)` links the events of the queue rows of relation `queue` (rows of `demographic_pending`)
 * into the chains and turns the users' changed first events into signed counter changes. The indexer applies both for
 * good, and a reader adds the changes to the counters on the fly, so both follow one formula.
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
 * What the queue holds of each event, as arrays of `demographic_pending` (one element per event, in one order) beside
 * the expression that computes each from a stored row of `events`: everything the fold and the readers need, so
 * neither looks the events up again. `kinds` is the event's chain (1 facebook, 2 tiktok), or 3 for TikTok's
 * top-funnel events, which join both chains 2 and 3.
 */
const QUEUED_COLUMNS = [
  { array: 'event_ids', element: 'event_id', of: 'event_id' },
  { array: 'occurred_ats', element: 'occurred_at', of: 'occurred_at' },
  { array: 'user_ids', element: 'user_id', of: 'user_id' },
  {
    array: 'kinds',
    element: 'kind',
    of: `(CASE WHEN source = 'facebook' THEN ${facebook} WHEN funnel_stage = 'top' THEN ${tiktokTop} ELSE ${tiktok} END)::smallint`,
  },
  { array: 'genders', element: 'gender', of: 'gender' },
  { array: 'ages', element: 'age', of: 'age' },
  { array: 'countries', element: 'country', of: 'country' },
  { array: 'cities', element: 'city', of: 'city' },
  { array: 'followers', element: 'followers', of: 'followers' },
  { array: 'devices', element: 'device', of: 'device' },
] as const;

/** The columns of `events` a statement that queues rows must have of them (e.g. in its RETURNING list). */
export const QUEUED_EVENT_COLUMNS = 'event_id, occurred_at, user_id, source, funnel_stage, ' + description;

/**
 * Queues the rows of `rows` (a relation with QUEUED_EVENT_COLUMNS), one queue row per group of `groupBy` (one in
 * all when omitted), none for no rows.
 */
export function queueEventsSql(rows: string, groupBy?: string): string {
  const arrays = QUEUED_COLUMNS.map(({ array }) => array).join(', ');
  const aggregates = QUEUED_COLUMNS.map(({ of }) => `array_agg(${of})`).join(', ');
  const grouping = groupBy === undefined ? 'HAVING count(*) > 0' : `GROUP BY ${groupBy} ORDER BY ${groupBy}`;
  return `INSERT INTO demographic_pending (${arrays})
  SELECT ${aggregates} FROM ${rows} ${grouping}`;
}

/**
 * WITH-list entries `queued_events` (the events that the queue rows of relation `queue` hold, with their `kind`) and
 * `queued_links (chain, user_id, occurred_at, event_id, description…)`, the same per chain.
 */
export function queuedLinksCte(queue: string): string {
  return `queued_events AS (
  SELECT queued.* FROM ${queue} AS q
  CROSS JOIN LATERAL unnest(${QUEUED_COLUMNS.map(({ array }) => `q.${array}`).join(', ')})
    AS queued(${QUEUED_COLUMNS.map(({ element }) => element).join(', ')})
),
queued_links AS (
  SELECT CASE kind WHEN ${tiktokTop} THEN ${tiktok} ELSE kind END::smallint AS chain, user_id, occurred_at, event_id,
    ${description}
  FROM queued_events
  UNION ALL
  SELECT ${tiktokTop}::smallint, user_id, occurred_at, event_id, ${description} FROM queued_events WHERE kind = ${tiktokTop}
)`;
}

/**
 * WITH-list entries over `queue`, none of them writing: `queued_events`; `queued_links`, the queued events per chain;
 * `linked`, each queued event, each chained event whose predecessor changes (`later`), and each first event of a user
 * that a queued event now precedes (`moved`: it leaves demographic_users for demographic_events), with the new
 * `prev_at` (NULL for a user's new first event) and the old one (`old_prev_at`); and the signed counter changes
 * `facebook_profile_deltas (gender, age, users)`, `facebook_place_deltas (country, city, users)`,
 * `tiktok_follower_deltas (followers, users)` and `tiktok_place_deltas (country, device, users)`.
 *
 * Only the neighbours of the queued events are read, and only for users the chain already holds: the predecessor of
 * a queued event is queued too, the nearest chained event before it, or else the user's first event; a chained event
 * whose predecessor changes is the nearest chained event after a queued one.
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
  WHERE chain = ${chain} AND moved`;
  return `${queuedLinksCte(queue)},
queued_users AS (
  SELECT q.*, u.first_at, u.first_event_id FROM queued_links AS q
  LEFT JOIN LATERAL (
    SELECT first_at, first_event_id FROM demographic_users AS u WHERE u.chain = q.chain AND u.user_id = q.user_id
  ) AS u ON true
),
returning_links AS (
  SELECT * FROM queued_users WHERE first_at IS NOT NULL
),
moved_firsts AS (
  SELECT u.chain, u.user_id, u.first_at, u.first_event_id, ${qualified('u')}
  FROM (
    SELECT DISTINCT chain, user_id FROM returning_links WHERE (occurred_at, event_id) < (first_at, first_event_id)
  ) AS r
  CROSS JOIN LATERAL (
    SELECT * FROM demographic_users AS u WHERE u.chain = r.chain AND u.user_id = r.user_id
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
  SELECT chain, user_id, occurred_at, event_id, NULL::timestamptz AS old_prev_at, ${description}, true AS queued,
    false AS later, false AS moved, first_at, first_event_id
  FROM queued_users
  UNION ALL
  SELECT chain, user_id, occurred_at, event_id, prev_at, ${description}, false, later, false, NULL, NULL FROM neighbours
  UNION ALL
  SELECT chain, user_id, first_at, first_event_id, NULL, ${description}, false, false, true, NULL, NULL FROM moved_firsts
),
linked AS (
  SELECT * FROM (
    SELECT chain, user_id, occurred_at, event_id, old_prev_at, ${description}, queued, later, moved,
      CASE
        WHEN lagged IS NOT NULL THEN lagged
        WHEN (occurred_at, event_id) > (first_at, first_event_id) THEN first_at
      END AS prev_at
    FROM (
      SELECT *, lag(occurred_at) OVER (PARTITION BY chain, user_id ORDER BY occurred_at, event_id) AS lagged FROM merged
    ) AS chained
  ) AS placed
  WHERE queued OR moved OR (later AND prev_at IS DISTINCT FROM old_prev_at)
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
 * A first event that moves to demographic_events is left out when retention already dropped its partition (the
 * storage horizon): the chain then lacks it as it lacks every dropped event. Returns the queue rows and events folded
 * in.
 */
export const APPLY_DEMOGRAPHIC_QUEUE_SQL = `WITH batch AS (
  SELECT * FROM demographic_pending ORDER BY id LIMIT $1
),
${demographicDeltaCtes('batch')},
upsert_users AS (
  INSERT INTO demographic_users AS u (chain, user_id, first_at, first_event_id, ${description})
  SELECT chain, user_id, occurred_at, event_id, ${description} FROM linked
  WHERE queued AND prev_at IS NULL
  ORDER BY chain, user_id
  ON CONFLICT (chain, user_id) DO UPDATE SET first_at = EXCLUDED.first_at, first_event_id = EXCLUDED.first_event_id,
    ${DESCRIPTION.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}
    WHERE (EXCLUDED.first_at, EXCLUDED.first_event_id) < (u.first_at, u.first_event_id)
),
insert_links AS (
  INSERT INTO demographic_events (chain, user_id, occurred_at, event_id, prev_at, ${description})
  SELECT chain, user_id, occurred_at, event_id, prev_at, ${description} FROM linked
  WHERE (queued AND prev_at IS NOT NULL)
    OR (moved AND occurred_at >= (
      SELECT coalesce(max(dropped_before), '-infinity') FROM storage_horizons WHERE relation = 'demographic_events'
    ))
  ORDER BY chain, user_id, occurred_at, event_id
),
relink AS (
  UPDATE demographic_events AS d SET prev_at = l.prev_at
  FROM linked AS l
  WHERE l.later AND NOT l.queued AND NOT l.moved AND d.chain = l.chain AND d.user_id = l.user_id
    AND d.occurred_at = l.occurred_at AND d.event_id = l.event_id
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
${queueEventsSql(`(SELECT *, (row_number() OVER ()) / 5000 AS chunk FROM events) AS numbered`, 'chunk')}`;
