-- The key of `events` moves from the partitioned table to each partition: unique `event_id` within a partition
-- instead of unique `(event_id, occurred_at)` over the table.
-- - The writer's `ON CONFLICT DO NOTHING` then skips an id already stored in the partition under another timestamp
--   with the key probe the insert makes anyway, where the table-wide key needed a probe of its own per row (about a
--   quarter of the writer's database time, measured on this hardware).
-- - Two writers can no longer store one id twice in a partition under two timestamps, which the probe, reading a
--   snapshot, could miss.
-- - The index is smaller: 16-byte keys instead of 24.
-- An id stays unique per (event_id, occurred_at) over the table: two rows of one id in one partition are impossible,
-- and rows in different partitions have different timestamps.
--
-- The services build the key of every partition made before this migration at start-up, before consuming
-- (src/migrations/migration.runner.ts), and of every new partition in the transaction that creates it
-- (src/storage/partition.sql.ts): a migration cannot list the partitions, being plain SQL without procedures.

ALTER TABLE "events" DROP CONSTRAINT "events_pkey";
