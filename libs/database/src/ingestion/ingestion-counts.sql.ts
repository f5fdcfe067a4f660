/** How long the id of a folded ingestion record is kept: far past any redelivery (an hour of back-off at most). */
export const INGESTION_RECORD_ID_RETENTION_DAYS = 7;

/**
 * Folds ingestion records (one JSON array of `{ msg_id, bucket, source, outcome, reason, count }`, `$1`) into the
 * minute counts, in one statement and so one transaction: the ids not seen before are inserted, and only their
 * counts are added, so a record delivered again after its first fold committed adds nothing, and two collectors
 * folding the same record wait on its id and one of them adds it. Keys are added in order, so concurrent folds
 * cannot deadlock. Ids older than the retention are dropped by storage maintenance (PRUNE_INGESTION_RECORD_IDS_SQL).
 */
export const FOLD_INGESTION_RECORDS_SQL = `
WITH records AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS r(msg_id text, bucket timestamptz, source text, outcome text, reason text, count int8)
), fresh AS (
  INSERT INTO ingestion_records_seen (msg_id)
  SELECT DISTINCT msg_id FROM records ORDER BY msg_id
  ON CONFLICT DO NOTHING
  RETURNING msg_id
), folded AS (
  INSERT INTO ingestion_counts_minute (bucket, source, outcome, reason, count)
  SELECT date_trunc('minute', bucket, 'UTC'), source, outcome, reason, sum(count)::int8
  FROM records JOIN fresh USING (msg_id)
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (bucket, source, outcome, reason) DO UPDATE SET count = ingestion_counts_minute.count + EXCLUDED.count
)
SELECT count(*)::int AS folded FROM fresh`;

/** Drops the ids of records folded more than the retention ago; run as the owner (the collectors cannot delete). */
export const PRUNE_INGESTION_RECORD_IDS_SQL = `
DELETE FROM ingestion_records_seen WHERE seen_at < now() - make_interval(days => ${INGESTION_RECORD_ID_RETENTION_DAYS})`;
