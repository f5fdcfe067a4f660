-- What became of what senders sent, per minute the gateway received it: events accepted and dead-lettered by reason
-- per source, requests throttled per sender (reason). Folded from the gateway's ingestion records by the collectors,
-- so a report over any range reads a few rows per minute instead of scanning anything.
CREATE TABLE "ingestion_counts_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "ingestion_counts_minute_pkey" PRIMARY KEY ("bucket", "source", "outcome", "reason")
);

-- The message id of every ingestion record folded in, in the same statement as its counts: a redelivered record
-- finds its id and adds nothing. Ids are dropped after a week, far past any redelivery.
CREATE TABLE "ingestion_records_seen" (
    "msg_id" TEXT NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "ingestion_records_seen_pkey" PRIMARY KEY ("msg_id")
);

CREATE INDEX "ingestion_records_seen_seen_at_idx" ON "ingestion_records_seen" ("seen_at");
