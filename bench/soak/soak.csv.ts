import { SOURCES } from '@evp/contracts';
import { type SoakRow } from './soak.rows';

/** The rows as CSV, one column per figure and per process group, for a spreadsheet or a plotting tool. */
export function soakCsv(rows: readonly SoakRow[]): string {
  const groups = Object.keys(rows[0]?.memoryMb ?? {});
  const columns: Array<[string, (row: SoakRow) => string | number]> = [
    ['seconds', (row) => row.atSeconds],
    ['phase', (row) => row.phase],
    ['offered_per_s', (row) => row.offeredPerSecond],
    ['acknowledged_per_s', (row) => row.acknowledgedPerSecond],
    ['stored_per_s', (row) => row.storedPerSecond],
    ...SOURCES.map((source): [string, (row: SoakRow) => number] => [`lag_${source}`, (row) => row.lagBySource[source]]),
    ['lag_total', (row) => row.lag],
    ['replies', (row) => row.reply?.requests ?? 0],
    ['reply_p50_ms', (row) => row.reply?.p50Ms ?? ''],
    ['reply_p99_ms', (row) => row.reply?.p99Ms ?? ''],
    ...groups.map((group): [string, (row: SoakRow) => number] => [
      `memory_mb_${group}`,
      (row) => row.memoryMb[group] ?? 0,
    ]),
    ...groups.map((group): [string, (row: SoakRow) => number] => [
      `cpu_pct_${group}`,
      (row) => row.cpuPercent[group] ?? 0,
    ]),
    ['database_bytes', (row) => row.databaseBytes],
    ['stream_bytes', (row) => row.streamBytes],
  ];
  const lines = [columns.map(([name]) => name), ...rows.map((row) => columns.map(([, value]) => value(row)))];
  return `${lines.map((cells) => cells.join(',')).join('\n')}\n`;
}
