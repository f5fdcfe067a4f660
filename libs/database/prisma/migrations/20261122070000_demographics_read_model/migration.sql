-- The demographics read model. The batch writer only queues the ids of the events it inserted (demographic_pending,
-- one row per batch) and the reporter's indexer folds the queue into the tables below (libs/database/src/demographics),
-- off the collectors' write path. Readers add the still-queued events on the fly, so the figures are exact whatever
-- the indexer's lag.
-- - All time: how many users there are of each kind, by their earliest event, so the report reads a few thousand
--   counter rows instead of distinct-counting every event.
-- - A bounded range counts each user once, by their earliest event in the range. An event is that earliest event
--   exactly when the user's previous event is before the range (or there is none), so with the previous event's time
--   beside every event the report is a filtered scan of the range instead of a sort by user.

-- Ids of inserted events the indexer has not folded in yet, one row per written batch.
CREATE TABLE IF NOT EXISTS "demographic_pending" (
    "id" BIGSERIAL NOT NULL,
    "event_ids" TEXT[] NOT NULL,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "demographic_pending_pkey" PRIMARY KEY ("id")
);

-- Users per kind of their first event of a chain (demographic_events below). Keys may be NULL (a column the event
-- did not carry), hence NULLS NOT DISTINCT.
CREATE TABLE IF NOT EXISTS "facebook_user_profiles" (
    "gender" TEXT,
    "age" INTEGER,
    "users" BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS "facebook_user_profiles_key" ON "facebook_user_profiles" ("gender", "age") NULLS NOT DISTINCT;

CREATE TABLE IF NOT EXISTS "facebook_user_places" (
    "country" TEXT,
    "city" TEXT,
    "users" BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS "facebook_user_places_key" ON "facebook_user_places" ("country", "city") NULLS NOT DISTINCT;

CREATE TABLE IF NOT EXISTS "tiktok_user_followers" (
    "followers" INTEGER,
    "users" BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS "tiktok_user_followers_key" ON "tiktok_user_followers" ("followers") NULLS NOT DISTINCT;

-- The same users by band of 1,000 followers (band = followers / 1000), with the sum of their followers: the median
-- is found by walking a thousand bands and then reading the values of one band only.
CREATE TABLE IF NOT EXISTS "tiktok_user_follower_bands" (
    "band" INTEGER,
    "users" BIGINT NOT NULL,
    "followers_sum" NUMERIC NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS "tiktok_user_follower_bands_key" ON "tiktok_user_follower_bands" ("band") NULLS NOT DISTINCT;

-- TikTok users by country and device of their earliest top-funnel event.
CREATE TABLE IF NOT EXISTS "tiktok_user_places" (
    "country" TEXT,
    "device" TEXT,
    "users" BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS "tiktok_user_places_key" ON "tiktok_user_places" ("country", "device") NULLS NOT DISTINCT;

-- One chain of events per user and `chain`: 'facebook', 'tiktok', and 'tiktok_top' (TikTok's top-funnel events once
-- more, the only ones with country and device). `prev_at` is the time of the previous event of the same chain and
-- user (by occurred_at, then event id), NULL for the first.
CREATE TABLE IF NOT EXISTS "demographic_events" (
    "chain" TEXT NOT NULL,
    "user_id" TEXT COLLATE "C" NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "event_id" TEXT COLLATE "C" NOT NULL,
    "prev_at" TIMESTAMPTZ(3),
    "gender" TEXT,
    "age" INTEGER,
    "country" TEXT,
    "city" TEXT,
    "followers" INTEGER,
    "device" TEXT,

    CONSTRAINT "demographic_events_pkey" PRIMARY KEY ("chain", "user_id", "occurred_at", "event_id")
);

-- The range scans: index-only, one partial index per chain carrying just what the report reads of that chain.
CREATE INDEX IF NOT EXISTS "demographic_events_facebook_range_idx" ON "demographic_events" ("occurred_at")
  INCLUDE ("user_id", "prev_at", "gender", "age", "country", "city") WHERE "chain" = 'facebook';
CREATE INDEX IF NOT EXISTS "demographic_events_tiktok_range_idx" ON "demographic_events" ("occurred_at")
  INCLUDE ("user_id", "prev_at", "followers") WHERE "chain" = 'tiktok';
CREATE INDEX IF NOT EXISTS "demographic_events_tiktok_top_range_idx" ON "demographic_events" ("occurred_at")
  INCLUDE ("user_id", "prev_at", "country", "device") WHERE "chain" = 'tiktok_top';

-- Events stored before this migration enter the queue like any new batch, 5,000 ids a row, into an empty model: so
-- applying this file again (it only creates what is missing) rebuilds the model instead of counting twice.
TRUNCATE "demographic_events", "facebook_user_profiles", "facebook_user_places", "tiktok_user_followers",
  "tiktok_user_follower_bands", "tiktok_user_places", "demographic_pending";

INSERT INTO "demographic_pending" ("event_ids")
SELECT array_agg("event_id") FROM (SELECT "event_id", (row_number() OVER ()) / 5000 AS "chunk" FROM "events") AS "numbered"
GROUP BY "chunk" ORDER BY "chunk";
