-- When the gateway received each event, beside when the sender says it happened (`occurred_at`): what freshness is
-- measured from (received to stored), and what a sender's clock skew is judged against. NULL for events stored before
-- this migration. A column added without a default changes no stored row, so this is instant on any table size.
ALTER TABLE "events" ADD COLUMN "received_at" TIMESTAMPTZ(3);

-- The view gains the column at its end (CREATE OR REPLACE VIEW may only append columns).
CREATE OR REPLACE VIEW "events_as_received" AS
SELECT
    coalesce("event_id_text", CASE "source" WHEN 'facebook' THEN 'fb-' ELSE 'ttk-' END || "event_id"::text) AS "event_id",
    coalesce("user_id_text", "user_id"::text) AS "user_id",
    "occurred_at", "source", "funnel_stage", "event_type", "user_name", "age", "gender", "country", "city", "followers",
    "campaign_id", "ad_id", "device", "browser", "referrer", "click_position", "video_id", "watch_time",
    "percentage_watched", "profile_id", "purchased_item", "purchase_amount", "action_time", "correlation_id", "extra",
    "stored_at", "received_at"
FROM "events";
