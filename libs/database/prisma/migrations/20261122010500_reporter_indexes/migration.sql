-- Indexes for the reporter (apps/reporter). Indexes only: no table or data changes.

-- Demographics counts each user once, from their earliest event in the range: DISTINCT ON (user_id) ordered by
-- (user_id, occurred_at, event_id). These partial covering indexes hand PostgreSQL the events of one source already
-- in that order with every column the report reads, so a wide range is an index-only scan with no sort.
-- Keys use the "C" collation (byte order): the report orders by the same expressions, and byte comparison is
-- much cheaper than a linguistic collation on 36-character ids. Each event enters exactly one of the two.
CREATE INDEX "events_facebook_user_first_idx" ON "events" ("user_id" COLLATE "C", "occurred_at", "event_id" COLLATE "C")
  INCLUDE ("age", "gender", "country", "city")
  WHERE "source" = 'facebook';

CREATE INDEX "events_tiktok_user_first_idx" ON "events" ("user_id" COLLATE "C", "occurred_at", "event_id" COLLATE "C")
  INCLUDE ("followers", "funnel_stage", "country", "device")
  WHERE "source" = 'tiktok';

-- The revenue report filtered by campaign: without these, each request scans every Facebook row of the rollups
-- (about one per transaction, as campaign ids are nearly unique).
CREATE INDEX "revenue_hour_campaign_idx" ON "revenue_hour" ("campaign_id", "bucket") INCLUDE ("revenue", "transactions")
  WHERE "source" = 'facebook';

CREATE INDEX "revenue_minute_campaign_idx" ON "revenue_minute" ("campaign_id", "bucket") INCLUDE ("revenue", "transactions")
  WHERE "source" = 'facebook';
