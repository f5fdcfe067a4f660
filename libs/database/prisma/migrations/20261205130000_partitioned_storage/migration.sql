-- Storage that lasts: `events` and the demographics read model become partitioned by the event's time (so old days
-- are dropped whole by retention, and each day's indexes stay small), and rows become compact:
-- - ids as native uuid (16 bytes instead of ~40 of text, in the heap and in every index). An id that is not the
--   canonical `fb-<uuid>` / `ttk-<uuid>` (event) or `<uuid>` (user) keeps its text in `event_id_text` /
--   `user_id_text`, and its key is the md5 of that text (src/storage/event-key.ts),
-- - no copy of the raw event: the typed columns hold the contract's fields, and `extra` holds only the fields outside
--   the contract (NULL for nearly every event),
-- - one B-tree per partition (the key) and a BRIN on time for the reports' sub-minute edges, instead of six B-trees.
--
-- The partitions themselves are created by the services (src/storage/partition.manager.ts): ahead of time on a
-- schedule, and on demand for an event dated where none exists yet. A migration cannot create them: it is plain
-- SQL without procedures (the schema engine splits at every semicolon).
--
-- The previous tables are renamed `*_legacy` here, and their rows are moved into the new layout by the services at
-- start-up, a day at a time (src/storage/legacy-layout.migrator.ts), since that needs one partition per day first.

ALTER TABLE "events" RENAME TO "events_legacy";
ALTER TABLE "events_legacy" RENAME CONSTRAINT "events_pkey" TO "events_legacy_pkey";
ALTER INDEX "events_occurred_at_idx" RENAME TO "events_legacy_occurred_at_idx";
ALTER INDEX "events_source_occurred_at_idx" RENAME TO "events_legacy_source_occurred_at_idx";
ALTER INDEX "events_revenue_occurred_at_idx" RENAME TO "events_legacy_revenue_occurred_at_idx";
DROP INDEX IF EXISTS "events_facebook_occurred_at_users_idx";
DROP INDEX IF EXISTS "events_tiktok_occurred_at_users_idx";

-- Fixed-width columns first, widest alignment first, so rows carry no padding.
CREATE TABLE "events" (
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action_time" TIMESTAMPTZ(3),
    "watch_time" DOUBLE PRECISION,
    "percentage_watched" DOUBLE PRECISION,
    "event_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "age" INTEGER,
    "followers" INTEGER,
    "source" TEXT NOT NULL,
    "funnel_stage" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "event_id_text" TEXT COLLATE "C",
    "user_id_text" TEXT COLLATE "C",
    "user_name" TEXT,
    "gender" TEXT,
    "country" TEXT,
    "city" TEXT,
    "campaign_id" TEXT,
    "ad_id" TEXT,
    "device" TEXT,
    "browser" TEXT,
    "referrer" TEXT,
    "click_position" TEXT,
    "video_id" TEXT,
    "profile_id" TEXT,
    "purchased_item" TEXT,
    "purchase_amount" DECIMAL(12,2),
    "correlation_id" TEXT,
    "extra" JSONB,

    CONSTRAINT "events_pkey" PRIMARY KEY ("event_id", "occurred_at")
) PARTITION BY RANGE ("occurred_at");

-- Within a day the rows arrive nearly in time order, so a block-range index finds a sub-minute edge of a report for
-- a few kilobytes per partition.
CREATE INDEX "events_occurred_at_brin" ON "events" USING brin ("occurred_at") WITH (pages_per_range = 16);

-- The ids as received, for people and tools reading the table: the same text the publisher sent.
CREATE VIEW "events_as_received" AS
SELECT
    coalesce("event_id_text", CASE "source" WHEN 'facebook' THEN 'fb-' ELSE 'ttk-' END || "event_id"::text) AS "event_id",
    coalesce("user_id_text", "user_id"::text) AS "user_id",
    "occurred_at", "source", "funnel_stage", "event_type", "user_name", "age", "gender", "country", "city", "followers",
    "campaign_id", "ad_id", "device", "browser", "referrer", "click_position", "video_id", "watch_time",
    "percentage_watched", "profile_id", "purchased_item", "purchase_amount", "action_time", "correlation_id", "extra",
    "stored_at"
FROM "events";

-- How far retention has dropped each partitioned table: rows before `dropped_before` are gone, so the reporter refuses
-- (instead of under-counting) what only they could answer. No row: nothing dropped yet.
CREATE TABLE "storage_horizons" (
    "relation" TEXT NOT NULL,
    "dropped_before" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "storage_horizons_pkey" PRIMARY KEY ("relation")
);

-- The demographics read model, rebuilt in the new layout from the events (the services requeue them once moved).
DROP TABLE "demographic_events";
DROP TABLE "demographic_pending";
TRUNCATE "facebook_user_profiles", "facebook_user_places", "tiktok_user_followers", "tiktok_user_follower_bands",
  "tiktok_user_places";

-- Keys of inserted events the indexer has not folded in yet, one row per written batch: the times let each key be
-- found in its own partition.
CREATE TABLE "demographic_pending" (
    "id" BIGSERIAL NOT NULL,
    "event_ids" UUID[] NOT NULL,
    "occurred_ats" TIMESTAMPTZ(3)[] NOT NULL,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "demographic_pending_pkey" PRIMARY KEY ("id")
);

-- Every user of each chain (1 facebook, 2 tiktok, 3 tiktok_top), with their first event: one probe tells the indexer
-- whether a queued event's user has events in any partition, and the first event places an event whose predecessor
-- retention dropped (its prev_at is -infinity: before every range, and not a first). Kept for good, like the counters.
CREATE TABLE "demographic_users" (
    "chain" SMALLINT NOT NULL,
    "user_id" UUID NOT NULL,
    "first_at" TIMESTAMPTZ(3) NOT NULL,
    "first_event_id" UUID NOT NULL,

    CONSTRAINT "demographic_users_pkey" PRIMARY KEY ("chain", "user_id")
);

-- Each event per chain with the time of the same user's previous event of the chain (by time, then event key), NULL
-- for the user's first.
CREATE TABLE "demographic_events" (
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "prev_at" TIMESTAMPTZ(3),
    "user_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "age" INTEGER,
    "followers" INTEGER,
    "chain" SMALLINT NOT NULL,
    "gender" TEXT,
    "country" TEXT,
    "city" TEXT,
    "device" TEXT,

    CONSTRAINT "demographic_events_pkey" PRIMARY KEY ("chain", "user_id", "occurred_at", "event_id")
) PARTITION BY RANGE ("occurred_at");

CREATE INDEX "demographic_events_facebook_range_idx" ON "demographic_events" ("occurred_at")
  INCLUDE ("user_id", "prev_at", "gender", "age", "country", "city") WHERE "chain" = 1;
CREATE INDEX "demographic_events_tiktok_range_idx" ON "demographic_events" ("occurred_at")
  INCLUDE ("user_id", "prev_at", "followers") WHERE "chain" = 2;
CREATE INDEX "demographic_events_tiktok_top_range_idx" ON "demographic_events" ("occurred_at")
  INCLUDE ("user_id", "prev_at", "country", "device") WHERE "chain" = 3;
