-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "events" (
    "event_id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "funnel_stage" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "user_name" TEXT,
    "age" INTEGER,
    "gender" TEXT,
    "country" TEXT,
    "city" TEXT,
    "followers" INTEGER,
    "campaign_id" TEXT,
    "ad_id" TEXT,
    "device" TEXT,
    "browser" TEXT,
    "referrer" TEXT,
    "click_position" TEXT,
    "video_id" TEXT,
    "watch_time" DOUBLE PRECISION,
    "percentage_watched" DOUBLE PRECISION,
    "profile_id" TEXT,
    "purchased_item" TEXT,
    "purchase_amount" DECIMAL(12,2),
    "action_time" TIMESTAMPTZ(3),
    "correlation_id" TEXT,
    "raw" JSONB NOT NULL,
    "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "event_counts_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "funnel_stage" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "events" BIGINT NOT NULL,

    CONSTRAINT "event_counts_minute_pkey" PRIMARY KEY ("bucket","source","funnel_stage","event_type")
);

-- CreateTable
CREATE TABLE "event_counts_hour" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "funnel_stage" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "events" BIGINT NOT NULL,

    CONSTRAINT "event_counts_hour_pkey" PRIMARY KEY ("bucket","source","funnel_stage","event_type")
);

-- CreateTable
CREATE TABLE "revenue_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "campaign_id" TEXT NOT NULL DEFAULT '',
    "revenue" DECIMAL(20,2) NOT NULL,
    "transactions" BIGINT NOT NULL,

    CONSTRAINT "revenue_minute_pkey" PRIMARY KEY ("bucket","source","campaign_id")
);

-- CreateTable
CREATE TABLE "revenue_hour" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "campaign_id" TEXT NOT NULL DEFAULT '',
    "revenue" DECIMAL(20,2) NOT NULL,
    "transactions" BIGINT NOT NULL,

    CONSTRAINT "revenue_hour_pkey" PRIMARY KEY ("bucket","source","campaign_id")
);

-- CreateIndex
CREATE INDEX "events_occurred_at_idx" ON "events"("occurred_at");

-- CreateIndex
CREATE INDEX "events_source_occurred_at_idx" ON "events"("source", "occurred_at");


-- ---------------------------------------------------------------------------------------------
-- Hand-written: what the Prisma schema cannot express.
-- ---------------------------------------------------------------------------------------------

-- Event ids are opaque tokens: byte order is all the primary key needs, and it spares every insert and
-- conflict check the locale's collation rules (costly under e.g. en_US.UTF-8).
ALTER TABLE "events" ALTER COLUMN "event_id" TYPE TEXT COLLATE "C";

-- Reports answer whole minutes/hours from the rollup tables and only the sub-minute edges of a range
-- from `events`. Carrying the grouping columns in the time index lets those edge scans be index-only.
DROP INDEX "events_occurred_at_idx";
CREATE INDEX "events_occurred_at_idx" ON "events" ("occurred_at") INCLUDE ("source", "funnel_stage", "event_type");

-- The same for revenue edges, partial: only the transactional rows (about one in seven) pay for it.
CREATE INDEX "events_revenue_occurred_at_idx" ON "events" ("occurred_at") INCLUDE ("source", "campaign_id", "purchase_amount")
  WHERE "purchase_amount" IS NOT NULL
    AND (("source" = 'facebook' AND "event_type" = 'checkout.complete') OR ("source" = 'tiktok' AND "event_type" = 'purchase'));

-- `events` is insert-only, so autovacuum would rarely visit it, yet index-only scans need its visibility map
-- kept current, and insert-triggered vacuums do that without waiting for a large fraction of new rows.
ALTER TABLE "events" SET (autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_vacuum_insert_threshold = 100000);
