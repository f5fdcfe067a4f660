-- 1. Each user's first event of a chain moves into demographic_users, with its description: with real traffic nearly
-- every event is its user's first (and only) one, so demographic_events keeps only the others and shrinks to almost
-- nothing, while a bounded range reads its new users by first_at (index below) and its returning users' earliest
-- events from demographic_events (prev_at before the range). See src/demographics/demographics.sql.ts.
--
-- The model is moved over, not rebuilt from the events: a rebuild would lose the users whose events retention
-- dropped, and the all-time counters count them. A user whose first event retention already dropped keeps a NULL
-- description here (nothing holds it any more): it matters only if an even earlier event of that user arrives, which
-- then takes the counts off the NULL kinds.

ALTER TABLE "demographic_users"
    ADD COLUMN "age" INTEGER,
    ADD COLUMN "followers" INTEGER,
    ADD COLUMN "gender" TEXT,
    ADD COLUMN "country" TEXT,
    ADD COLUMN "city" TEXT,
    ADD COLUMN "device" TEXT;

UPDATE "demographic_users" AS u
SET "age" = d."age", "followers" = d."followers", "gender" = d."gender", "country" = d."country", "city" = d."city",
    "device" = d."device"
FROM "demographic_events" AS d
WHERE d."chain" = u."chain" AND d."user_id" = u."user_id" AND d."occurred_at" = u."first_at"
  AND d."event_id" = u."first_event_id";

DELETE FROM "demographic_events" WHERE "prev_at" IS NULL;

-- A range's new users: the users of a chain whose first event is in it.
CREATE INDEX "demographic_users_first_at_idx" ON "demographic_users" ("chain", "first_at");

-- 2. The queue holds what the indexer needs of each event (user, chain, description) beside its key and time, so
-- neither the indexer nor a report looks each queued event up in `events` again. `kinds`: 1 facebook, 2 tiktok, 3
-- TikTok's top funnel (in chains 2 and 3). Rows queued before this migration get theirs from the events, and an event
-- retention dropped meanwhile is left out, as the indexer's look-up left it out before.
ALTER TABLE "demographic_pending"
    ADD COLUMN "user_ids" UUID[],
    ADD COLUMN "kinds" SMALLINT[],
    ADD COLUMN "ages" INTEGER[],
    ADD COLUMN "followers" INTEGER[],
    ADD COLUMN "genders" TEXT[],
    ADD COLUMN "countries" TEXT[],
    ADD COLUMN "cities" TEXT[],
    ADD COLUMN "devices" TEXT[];

UPDATE "demographic_pending" AS p
SET "event_ids" = f."event_ids", "occurred_ats" = f."occurred_ats", "user_ids" = f."user_ids", "kinds" = f."kinds",
    "ages" = f."ages", "followers" = f."followers", "genders" = f."genders", "countries" = f."countries",
    "cities" = f."cities", "devices" = f."devices"
FROM (
    SELECT q."id", array_agg(e."event_id" ORDER BY k."n") AS "event_ids",
        array_agg(e."occurred_at" ORDER BY k."n") AS "occurred_ats", array_agg(e."user_id" ORDER BY k."n") AS "user_ids",
        array_agg((CASE WHEN e."source" = 'facebook' THEN 1 WHEN e."funnel_stage" = 'top' THEN 3 ELSE 2 END)::smallint
            ORDER BY k."n") AS "kinds",
        array_agg(e."age" ORDER BY k."n") AS "ages", array_agg(e."followers" ORDER BY k."n") AS "followers",
        array_agg(e."gender" ORDER BY k."n") AS "genders", array_agg(e."country" ORDER BY k."n") AS "countries",
        array_agg(e."city" ORDER BY k."n") AS "cities", array_agg(e."device" ORDER BY k."n") AS "devices"
    FROM "demographic_pending" AS q
    CROSS JOIN LATERAL unnest(q."event_ids", q."occurred_ats") WITH ORDINALITY AS k("event_id", "occurred_at", "n")
    JOIN "events" AS e ON e."event_id" = k."event_id" AND e."occurred_at" = k."occurred_at"
    GROUP BY q."id"
) AS f
WHERE f."id" = p."id";

DELETE FROM "demographic_pending" WHERE "user_ids" IS NULL;

ALTER TABLE "demographic_pending"
    ALTER COLUMN "user_ids" SET NOT NULL,
    ALTER COLUMN "kinds" SET NOT NULL,
    ALTER COLUMN "ages" SET NOT NULL,
    ALTER COLUMN "followers" SET NOT NULL,
    ALTER COLUMN "genders" SET NOT NULL,
    ALTER COLUMN "countries" SET NOT NULL,
    ALTER COLUMN "cities" SET NOT NULL,
    ALTER COLUMN "devices" SET NOT NULL;
