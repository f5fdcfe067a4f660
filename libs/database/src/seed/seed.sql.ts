import { EVENT_TYPES, TRANSACTIONAL_EVENT_TYPES } from '@evp/contracts';
import {
  SEED_CITIES,
  SEED_CITIES_PER_COUNTRY,
  SEED_COUNTRIES,
  SEED_FIRST_NAMES,
  SEED_LAST_NAMES,
  SEED_PURCHASED_ITEMS,
} from './seed.vocabulary';

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
/** A constant text array, parenthesised so that it can be subscripted. */
const array = (items: readonly string[]) => `(ARRAY[${items.map(literal).join(', ')}])`;
/** Uniform pick from a constant list with a random number `r` in [0, 1). */
const pick = (items: readonly string[], r: string) => `${array(items)}[1 + floor(${r} * ${items.length})::int]`;
/** A stable pseudo-random integer in [0, 2^31) for a user and attribute `k`: the same user always gets the same one. */
const userHash = (k: number) => `(hashint4(b.user_key * 31 + ${k}) & 2147483647)`;
/** A stable number in [0, 1) for user `u` and attribute `k`. */
const userUnit = (k: number) => `(${userHash(k)} / 2147483648.0)`;
/** A user's country, skewed toward the start of the list (squared uniform). */
const countryIndex = `floor(${SEED_COUNTRIES.length} * power(${userUnit(5)}, 2))::int`;

/**
 * One batch of synthetic events, generated and inserted inside PostgreSQL. Parameters: $1/$2 the first and last
 * sequence numbers of the batch, $3 the time of sequence number 0, $4 seconds between consecutive events,
 * $5 users per source (0: a user of its own for every event, as the real publisher's generator does), $6 the event-id prefix, $7 campaigns. An event's id is `fb-`/`ttk-` and the md5 of the prefix
 * and its sequence number as a uuid, a user's id the md5 of its source and number.
 *
 * Events are laid out in time order along the sequence, so consecutive batches append to the time indexes instead of
 * scattering over them; the jitter is a hash of the sequence number, so an event keeps its time, and with it its key,
 * whatever the batch size. Users are numbered per source and every attribute of a user
 * (name, age, gender, country, city, followers, device) is a hash of its number: stable across its events.
 * Sources are 50/50, stages and types uniform as from the real publisher, amounts only on purchases.
 * `OFFSET 0` keeps each level a separate step, so every random value is drawn once and expressions are not
 * copied into the level above.
 */
export const SEED_BATCH_SQL = `INSERT INTO events (event_id, occurred_at, source, funnel_stage, event_type, user_id, user_name, age,
  gender, country, city, followers, campaign_id, ad_id, device, browser, referrer, click_position, video_id, watch_time,
  percentage_watched, profile_id, purchased_item, purchase_amount, action_time, correlation_id)
SELECT e.event_id, e.occurred_at, e.source, e.funnel_stage, e.event_type, e.user_id, e.user_name, e.age, e.gender,
  e.country, e.city, e.followers, e.campaign_id, e.ad_id, e.device, e.browser, e.referrer, e.click_position, e.video_id,
  e.watch_time, e.percentage_watched, e.profile_id, e.purchased_item, e.purchase_amount, e.action_time, e.correlation_id
FROM (
  SELECT
    md5($6::text || lpad(b.g::text, 10, '0'))::uuid AS event_id,
    b.occurred_at,
    b.source,
    b.funnel_stage,
    b.event_type,
    md5(b.source || '-user-' || b.u)::uuid AS user_id,
    CASE WHEN b.facebook
      THEN ${array(SEED_FIRST_NAMES)}[1 + ${userHash(1)} % ${SEED_FIRST_NAMES.length}] || ' ' || ${array(SEED_LAST_NAMES)}[1 + ${userHash(2)} % ${SEED_LAST_NAMES.length}]
      ELSE ${array(SEED_FIRST_NAMES)}[1 + ${userHash(1)} % ${SEED_FIRST_NAMES.length}] || (1 + ${userHash(2)} % 99)::text
    END AS user_name,
    CASE WHEN b.facebook THEN 18 + ${userHash(3)} % 48 END AS age,
    CASE WHEN NOT b.facebook THEN NULL WHEN ${userHash(4)} % 100 < 48 THEN 'male' WHEN ${userHash(4)} % 100 < 96 THEN 'female' ELSE 'non-binary' END AS gender,
    CASE WHEN b.facebook OR b.funnel_stage = 'top' THEN ${array(SEED_COUNTRIES)}[1 + ${countryIndex}] END AS country,
    CASE WHEN b.facebook
      THEN ${array(SEED_CITIES)}[1 + (${countryIndex} * ${SEED_CITIES_PER_COUNTRY} + ${userHash(6)} % ${SEED_CITIES_PER_COUNTRY}) % ${SEED_CITIES.length}]
    END AS city,
    CASE WHEN NOT b.facebook THEN floor(1000000 * power(${userUnit(7)}, 4))::int END AS followers,
    b.campaign_id,
    CASE WHEN b.campaign_id IS NOT NULL THEN 'ad-' || substr(b.campaign_id, 6) || '-' || (1 + floor(b.r2 * 8))::int END AS ad_id,
    CASE
      WHEN b.facebook AND b.funnel_stage = 'bottom' THEN CASE WHEN b.r3 < 0.7 THEN 'mobile' ELSE 'desktop' END
      WHEN NOT b.facebook AND b.funnel_stage = 'top' THEN CASE WHEN ${userHash(8)} % 10 < 5 THEN 'Android' WHEN ${userHash(8)} % 10 < 9 THEN 'iOS' ELSE 'Desktop' END
    END AS device,
    CASE WHEN b.facebook AND b.funnel_stage = 'bottom' THEN CASE WHEN b.r4 < 0.6 THEN 'Chrome' WHEN b.r4 < 0.85 THEN 'Safari' ELSE 'Firefox' END END AS browser,
    CASE WHEN b.facebook AND b.funnel_stage = 'top' THEN ${pick(['newsfeed', 'marketplace', 'groups'], 'b.r3')} END AS referrer,
    CASE WHEN b.facebook AND b.funnel_stage = 'bottom' THEN ${pick(['top_left', 'bottom_right', 'center'], 'b.r5')} END AS click_position,
    CASE WHEN (b.facebook AND b.event_type = 'video.view') OR (NOT b.facebook AND b.funnel_stage = 'top')
      THEN 'vid-' || substr(md5(b.g::text), 1, 8) END AS video_id,
    CASE WHEN NOT b.facebook AND b.funnel_stage = 'top' THEN (1 + floor(b.r3 * 300))::float8 END AS watch_time,
    CASE WHEN NOT b.facebook AND b.funnel_stage = 'top' THEN floor(b.r4 * 101)::float8 END AS percentage_watched,
    CASE WHEN b.event_type = 'profile.visit' THEN 'profile-' || substr(md5('p' || b.g), 1, 6) END AS profile_id,
    CASE WHEN NOT b.facebook AND b.event_type = ${literal(TRANSACTIONAL_EVENT_TYPES.tiktok)} THEN ${pick(SEED_PURCHASED_ITEMS, 'b.r3')} END AS purchased_item,
    CASE
      WHEN b.facebook AND b.event_type = ${literal(TRANSACTIONAL_EVENT_TYPES.facebook)} THEN round((10 + b.r6 * 990)::numeric, 2)
      WHEN NOT b.facebook AND b.event_type = ${literal(TRANSACTIONAL_EVENT_TYPES.tiktok)} THEN round((5 + b.r6 * 495)::numeric, 2)
    END AS purchase_amount,
    CASE WHEN b.facebook = (b.funnel_stage = 'top') THEN b.occurred_at END AS action_time,
    $6::text || 'request-' || (b.g / 100) AS correlation_id
  FROM (
    SELECT
      b.*,
      CASE WHEN b.facebook THEN 'facebook' ELSE 'tiktok' END AS source,
      CASE WHEN b.top THEN 'top' ELSE 'bottom' END AS funnel_stage,
      CASE
        WHEN b.facebook AND b.top THEN ${pick(EVENT_TYPES.facebook.top, 'b.r_type')}
        WHEN b.facebook THEN ${pick(EVENT_TYPES.facebook.bottom, 'b.r_type')}
        WHEN b.top THEN ${pick(EVENT_TYPES.tiktok.top, 'b.r_type')}
        ELSE ${pick(EVENT_TYPES.tiktok.bottom, 'b.r_type')}
      END AS event_type,
      CASE WHEN b.facebook AND NOT b.top
        THEN 'camp-' || lpad((1 + floor($7::int * power(b.r1, 2)))::int::text, 4, '0')
      END AS campaign_id,
      b.u + CASE WHEN b.facebook THEN 0 ELSE $5::int END AS user_key
    FROM (
      SELECT
        g,
        date_trunc('milliseconds', $3::timestamptz + make_interval(secs => (g + (hashint8(g) & 2147483647) / 2147483648.0) * $4::float8)) AS occurred_at,
        random() < 0.5 AS facebook,
        random() < 0.5 AS top,
        random() AS r_type,
        CASE WHEN $5::int = 0 THEN g::int ELSE floor(random() * $5::int)::int END AS u,
        random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6
      FROM generate_series($1::bigint, $2::bigint) AS g
    ) AS b
    OFFSET 0
  ) AS b
  OFFSET 0
) AS e
ON CONFLICT DO NOTHING`;
