/**
 * A collector that crashes right after its first batch is committed, before any message of it is acked:
 * `EventBatchWriter.write` is wrapped so that the process SIGKILLs itself as soon as the write resolves.
 * The crash-and-recover test runs it as a child process (`node --import tsx`), with the collector options
 * as JSON in `CRASH_COLLECTOR_OPTIONS` (the plain normaliser is added here).
 */
import 'reflect-metadata';
import { EventBatchWriter } from '@evp/database';
import type { EventRow } from '@evp/database';
import type { CollectorModuleOptions } from '@evp/collector';
import { plainNormaliser } from './plain-event.normaliser';
import { startTestCollector } from './collector.harness';

const write = EventBatchWriter.prototype.write;
EventBatchWriter.prototype.write = async function writeThenCrash(this: EventBatchWriter, rows: readonly EventRow[]) {
  const result = await write.call(this, rows);
  process.stdout.write(`${JSON.stringify({ committed: rows.length, inserted: result.inserted })}\n`);
  process.kill(process.pid, 'SIGKILL');
  return result;
};

const options = JSON.parse(process.env.CRASH_COLLECTOR_OPTIONS ?? '{}') as Omit<CollectorModuleOptions, 'normaliser'>;
const binding =
  options.source === 'tiktok'
    ? { source: 'tiktok' as const, normaliser: plainNormaliser<'tiktok'>() }
    : { source: 'facebook' as const, normaliser: plainNormaliser<'facebook'>() };
startTestCollector({ ...options, ...binding }).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
