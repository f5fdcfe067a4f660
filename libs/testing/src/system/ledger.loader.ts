import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Source } from '@evp/contracts';
import { eventKeyOf } from '@evp/database';
import type { Client } from 'pg';
import { quoteIdentifier } from '../postgres/postgres.urls';

/** Ids sent per statement: large enough to load millions quickly, small enough to keep each parameter modest. */
const CHUNK = 200_000;

/** The source whose canonical ids look like `id` (`fb-…` / `ttk-…`): the only one that could store it by its uuid. */
const sourceByPrefix = (id: string): Source => (id.startsWith('ttk-') ? 'tiktok' : 'facebook');

/**
 * Creates `table (event_id text COLLATE "C", key uuid, source text)` (replacing one of that name) and loads every
 * line of the ledger files into it, duplicates kept, so loss and duplicates can be checked in SQL against `events`
 * without holding millions of ids in memory. Returns the number of lines loaded.
 *
 * `key` and `source` are set for an id in the canonical form of a source (`fb-<uuid>`, `ttk-<uuid>`): stored by
 * that source, it is the row with that uuid key and no id text. Any other id (or a canonical-looking one sent by the
 * other source) is stored with its text in `event_id_text`. Checks can so join on the columns `events` holds,
 * instead of rebuilding the text of every stored id (`events_as_received`).
 */
export async function loadLedgerIntoTable(
  client: Client,
  table: string,
  ledgerPaths: readonly string[],
): Promise<number> {
  const name = quoteIdentifier(table);
  await client.query(`DROP TABLE IF EXISTS ${name}`);
  await client.query(`CREATE UNLOGGED TABLE ${name} (event_id text COLLATE "C" NOT NULL, key uuid, source text)`);
  let ids: string[] = [];
  let keys: (string | null)[] = [];
  let loaded = 0;
  const flush = async () => {
    if (ids.length === 0) return;
    await client.query(
      `INSERT INTO ${name} (event_id, key, source)
      SELECT id, key, CASE WHEN key IS NULL THEN NULL WHEN id LIKE 'ttk-%' THEN 'tiktok' ELSE 'facebook' END
      FROM unnest($1::text[], $2::uuid[]) AS ledger (id, key)`,
      [ids, keys],
    );
    loaded += ids.length;
    ids = [];
    keys = [];
  };
  for (const path of ledgerPaths) {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.length === 0) continue;
      const stored = eventKeyOf(line, sourceByPrefix(line));
      ids.push(line);
      keys.push(stored.text === null ? stored.key : null);
      if (ids.length >= CHUNK) await flush();
    }
  }
  await flush();
  // No index: the checks below are hash joins over whole tables, which an index would not speed up.
  await client.query(`ANALYZE ${name}`);
  return loaded;
}

/** What a ledger says against what the database holds. */
export interface LedgerReconciliation {
  /** Lines of the acknowledged ledger (duplicates included). */
  acknowledgedLines: number;
  /** Distinct acknowledged ids: the rows that must exist. */
  acknowledgedIds: number;
  /** Acknowledged ids with no row. */
  lost: number;
  /** Rows of `events`. */
  storedRows: number;
  /** Rows minus distinct stored ids: more than one row for an id. */
  duplicated: number;
  /** Rows whose id was never sent as a valid event (neither acknowledged nor unacknowledged). */
  unexpected: number;
}

/**
 * Loads the acknowledged and unacknowledged ledgers (of one or more emulator runs) into scratch tables of the
 * database `client` is connected to and compares them with `events`. The scratch tables are dropped afterwards.
 *
 * Every comparison joins on the columns `events` stores (a uuid key and source, or the id text kept beside its key)
 * rather than on ids rebuilt from them row by row, so the planner sees real statistics and hash-joins whole tables:
 * linear in the rows, whatever their number.
 */
export async function reconcileLedger(
  client: Client,
  ledger: { acknowledgedPaths: readonly string[]; unacknowledgedPaths: readonly string[] },
  tablePrefix = 'ledger',
): Promise<LedgerReconciliation> {
  const acked = quoteIdentifier(`${tablePrefix}_acked`);
  const unacked = quoteIdentifier(`${tablePrefix}_unacked`);
  try {
    const acknowledgedLines = await loadLedgerIntoTable(client, `${tablePrefix}_acked`, ledger.acknowledgedPaths);
    await loadLedgerIntoTable(client, `${tablePrefix}_unacked`, ledger.unacknowledgedPaths);
    // A stored row is the id `prefix || key` when it keeps no text, else its `event_id_text`: each comparison is
    // split into those two kinds of row, so that each is a hash join on plain columns (an OR could not be hashed).
    // Duplicates group rows by the same pair; a `fb-<uuid>` sent by TikTok (kept as text) is thus another id than
    // the Facebook event it looks like, as storage keys them too.
    // The ledger tables are joined directly, not through CTEs: a CTE read twice is materialised without statistics,
    // and the planner then merge-joins it against every partition's key index, visiting the heap at random.
    const { rows } = await client.query<Record<keyof Omit<LedgerReconciliation, 'acknowledgedLines'>, string>>(`
      SELECT
        (SELECT count(DISTINCT event_id) FROM ${acked}) AS "acknowledgedIds",
        (SELECT count(DISTINCT a.event_id) FROM ${acked} a
          WHERE NOT EXISTS (
              SELECT 1 FROM events e WHERE e.event_id_text IS NULL AND e.event_id = a.key AND e.source = a.source)
            AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id_text = a.event_id)) AS lost,
        (SELECT count(*) FROM events) AS "storedRows",
        (SELECT coalesce(sum(copies - 1), 0) FROM (
          SELECT count(*) AS copies FROM events
          GROUP BY event_id, coalesce(event_id_text, source)
          HAVING count(*) > 1) AS d) AS duplicated,
        (SELECT count(*) FROM events e
          WHERE e.event_id_text IS NULL
            AND NOT EXISTS (SELECT 1 FROM ${acked} a WHERE a.key = e.event_id AND a.source = e.source)
            AND NOT EXISTS (SELECT 1 FROM ${unacked} u WHERE u.key = e.event_id AND u.source = e.source))
        + (SELECT count(*) FROM events e
          WHERE e.event_id_text IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM ${acked} a WHERE a.event_id = e.event_id_text)
            AND NOT EXISTS (SELECT 1 FROM ${unacked} u WHERE u.event_id = e.event_id_text)) AS unexpected`);
    const row = rows[0];
    if (!row) throw new Error('the reconciliation query returned no row');
    return {
      acknowledgedLines,
      acknowledgedIds: Number(row.acknowledgedIds),
      lost: Number(row.lost),
      storedRows: Number(row.storedRows),
      duplicated: Number(row.duplicated),
      unexpected: Number(row.unexpected),
    };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${acked}, ${unacked}`);
  }
}
