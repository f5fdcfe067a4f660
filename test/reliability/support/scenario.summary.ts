import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of the suite's summary. */
export interface ScenarioResult {
  scenario: string;
  /** Events the emulator sent, duplicates and corruptions included. */
  sent: number;
  /** Distinct valid event ids that got a 2xx. */
  acknowledged: number;
  /** Rows in `events` at the end. */
  stored: number;
  /** Rows beyond one per event id. */
  duplicated: number;
  /** Acknowledged ids with no row. */
  lost: number;
  passed: boolean;
  note?: string;
}

interface ResultsFile {
  /** The test process: files of one `npm run test:reliability` share it (single fork), a new run starts afresh. */
  run: number;
  finishedAt: string;
  scenarios: ScenarioResult[];
}

export const RESULTS_PATH = join(__dirname, '..', 'results.json');

/** Adds (or replaces) a scenario's line in results.json, then prints every line of this run as a table. */
export function recordScenario(result: ScenarioResult): void {
  const previous = existsSync(RESULTS_PATH)
    ? (JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as ResultsFile)
    : undefined;
  const scenarios =
    previous?.run === process.pid ? previous.scenarios.filter((line) => line.scenario !== result.scenario) : [];
  scenarios.push(result);
  const file: ResultsFile = { run: process.pid, finishedAt: new Date().toISOString(), scenarios };
  writeFileSync(RESULTS_PATH, `${JSON.stringify(file, null, 2)}\n`);
  printSummary(scenarios);
}

function printSummary(scenarios: readonly ScenarioResult[]): void {
  const header = ['scenario', 'sent', 'acknowledged', 'stored', 'duplicated', 'lost', 'result'];
  const rows = scenarios.map((line) => [
    line.scenario,
    String(line.sent),
    String(line.acknowledged),
    String(line.stored),
    String(line.duplicated),
    String(line.lost),
    line.passed ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  const lines = [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(format)];
  const notes = scenarios.filter((line) => line.note).map((line) => `${line.scenario}: ${line.note}`);
  process.stdout.write(`\nReliability summary (${RESULTS_PATH})\n${[...lines, ...notes].join('\n')}\n\n`);
}
