-- Indexes in user order spared demographics a sort on long ranges, but every insert lands on a random page of
-- them. Measured with bench:collectors over 1M events: 17k events/s stored with them, 24k without, and the
-- publisher sends 25k a second on average. Demographics keeps the time-ordered covering indexes, whose
-- inserts append at the right edge.
DROP INDEX IF EXISTS "events_facebook_user_first_idx";
DROP INDEX IF EXISTS "events_tiktok_user_first_idx";
