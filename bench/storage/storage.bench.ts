/**
 * Storage that lasts (issue 15): bytes per stored event of every table and index the pipeline writes per event, in
 * the partitioned layout and in the legacy one measured in the same run, and the writer's throughput per million rows
 * as the table grows.
 *
 *   npm run bench:storage                                   1M and 10M events, both layouts
 *   npm run bench:storage -- --events 100000,300000         a short run, to check that every part works
 *   npm run bench:storage -- --events 1M,10M --rows 20M     sizes at 1M and 10M, the writer's throughput to 20M
 *   options: --events <n,n,…>   checkpoints: stored events at which sizes are measured (default 1000000,10000000)
 *            --rows <n>         rows the new layout's writer stores (default: the last checkpoint)
 *            --batch <n>        events per write (default 2000)
 *            --skip-legacy      measure the new layout only
 *            --event-rate <n>   events per second of event time, i.e. how the timestamps fill the day partitions
 *                               (default 25500, the real publisher's: every run falls in one day)
 *
 * Each layout runs on a test database of its own (dropped at the end), one after the other. Prints the tables and
 * writes bench/results/storage.json.
 */
import { exitWithUsageOnHelp } from '@evp/config';
import { machineInfo, writeResultFile } from '../shared/bench.results';
import { benchLog } from '../shared/bench.console';
import { round } from '../shared/number.format';
import { renderTable } from '../shared/text.table';
import { BenchInterruptedError, InterruptGuard } from './interrupt.guard';
import { runLegacyLayout } from './legacy-layout.run';
import { runNewLayout } from './new-layout.run';
import { parseStorageBenchOptions, StorageBenchOptionsError } from './storage.options';
import {
  allInBytes,
  bytesPerEventRows,
  formatEvents,
  type LayoutMeasurement,
  relationTotalRows,
  TARGET_BYTES_AT_EVENTS,
  TARGET_BYTES_PER_EVENT,
  TARGET_THROUGHPUT_RATIO,
  TARGET_THROUGHPUT_ROWS,
  throughputRatio,
  throughputRows,
  writerRowsPerSecond,
} from './storage.report';

const RESULTS_NAME = 'storage.json';

const log = benchLog('storage');

const USAGE = `Usage: npm run bench:storage -- [options]
  Bytes per stored event in the partitioned and the legacy layout, and the writer's throughput as the table grows.
  --events <n,n,…>   checkpoints at which sizes are measured (default 1000000,10000000; 1M and 10M are accepted)
  --rows <n>         rows the new layout's writer stores (default: the last checkpoint)
  --batch <n>        events per write (default 2000)
  --skip-legacy      measure the new layout only
  --event-rate <n>   events per second of event time (default 25500)
  Writes bench/results/storage.json.`;

async function main(): Promise<void> {
  exitWithUsageOnHelp(USAGE);
  const options = parseStorageBenchOptions(process.argv.slice(2));
  const startedAt = new Date();
  log(
    `checkpoints ${options.checkpoints.map(formatEvents).join(', ')}; writer to ${formatEvents(options.rows)} rows, ` +
      `batches of ${options.batch}; ${options.eventsPerSecond} events per second of event time` +
      (options.skipLegacy ? '; legacy layout skipped' : ''),
  );
  const interrupt = new InterruptGuard();
  const current = await runNewLayout(options, log, interrupt);
  const legacy = options.skipLegacy ? undefined : await runLegacyLayout(options, log, interrupt);
  interrupt.dispose();

  const layouts: LayoutMeasurement[] = [{ layout: 'new', checkpoints: current.checkpoints }];
  if (legacy) layouts.push({ layout: 'legacy', checkpoints: legacy.checkpoints });
  console.log('\nBytes per stored event, by heap (with TOAST and maps) and index, partitions summed:\n');
  console.log(renderTable(bytesPerEventRows(layouts)));
  console.log('\nBytes per stored event, by relation (heap and indexes):\n');
  console.log(renderTable(relationTotalRows(layouts)));

  const lastNew = current.checkpoints[current.checkpoints.length - 1];
  const lastLegacy = legacy?.checkpoints[legacy.checkpoints.length - 1];
  const allIn = lastNew === undefined ? Number.NaN : allInBytes(lastNew) / lastNew.events;
  if (lastNew !== undefined) {
    const reached = lastNew.events >= TARGET_BYTES_AT_EVENTS;
    console.log(
      `\nall-in bytes per event at ${formatEvents(lastNew.events)} events: new ${allIn.toFixed(1)}` +
        (lastLegacy ? `, legacy ${(allInBytes(lastLegacy) / lastLegacy.events).toFixed(1)}` : '') +
        ` (target ≤ ${TARGET_BYTES_PER_EVENT} B/event at ${formatEvents(TARGET_BYTES_AT_EVENTS)}: ` +
        (reached ? (allIn <= TARGET_BYTES_PER_EVENT ? 'met' : 'NOT met') : 'this run stopped short of it') +
        ')',
    );
  }

  if (!current.autovacuum)
    console.log(
      'autovacuum is off on this server: the space of deleted queue rows (demographic_pending) and of updated rollup ' +
        'and counter rows is never reclaimed here, so those relations read larger than with autovacuum on',
    );

  console.log('\nThe writer per slice of rows (write calls only; the indexer between writes, timed apart):\n');
  console.log(renderTable(throughputRows(current.slices)));
  const ratio = throughputRatio(current.slices);
  const slice = current.slices.length > 0 ? `${formatEvents(current.slices[0]?.rows ?? 0)} rows` : 'slice';
  const verdict =
    ratio === undefined ? '' : ratio >= TARGET_THROUGHPUT_RATIO ? 'at or above the target' : 'BELOW the target';
  console.log(
    ratio === undefined
      ? '\nwriter throughput ratio: needs at least two slices'
      : `\nwriter throughput at the last ${slice} ÷ first ${slice}: ${ratio.toFixed(2)} ` +
          `(target ≥ ${TARGET_THROUGHPUT_RATIO.toFixed(2)} from 1M to ${formatEvents(TARGET_THROUGHPUT_ROWS)} rows; ` +
          `this run: ${formatEvents(options.rows)} rows, ${verdict})`,
  );

  const result = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    settings: options,
    autovacuum: current.autovacuum,
    layouts: layouts.map((layout) => ({
      layout: layout.layout,
      checkpoints: layout.checkpoints.map((checkpoint) => ({
        events: checkpoint.events,
        allInBytes: allInBytes(checkpoint),
        allInBytesPerEvent: round(allInBytes(checkpoint) / checkpoint.events, 1),
        relations: checkpoint.sizes.map((size) => ({
          ...size,
          bytesPerEvent: round(size.bytes / checkpoint.events, 2),
        })),
      })),
    })),
    legacyStoreSeconds: legacy === undefined ? null : round(legacy.storeSeconds, 1),
    throughput: current.slices.map((slice) => ({
      ...slice,
      writerRowsPerSecond: Math.round(writerRowsPerSecond(slice)),
    })),
    targets: {
      allInBytesPerEvent: {
        target: TARGET_BYTES_PER_EVENT,
        atEvents: TARGET_BYTES_AT_EVENTS,
        measured: round(allIn, 1),
      },
      writerThroughputRatio: {
        target: TARGET_THROUGHPUT_RATIO,
        atRows: TARGET_THROUGHPUT_ROWS,
        measured: ratio === undefined ? null : round(ratio, 3),
      },
    },
  };
  log(`written ${await writeResultFile(RESULTS_NAME, `${JSON.stringify(result, null, 2)}\n`)}`);
}

main().catch((error: unknown) => {
  if (error instanceof StorageBenchOptionsError) {
    console.error(error.message);
    process.exit(2);
  }
  if (error instanceof BenchInterruptedError) process.exit(130);
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
