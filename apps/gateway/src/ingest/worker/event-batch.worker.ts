import { parentPort } from 'node:worker_threads';
import { EventBatchReader } from '../event-batch.reader';
import { type FromWorker, type ToWorker, encodeSlice, serializeError } from './ingest-worker.protocol';

/*
 * Worker-thread entry: checks, parses and validates webhook bodies off the main thread, which then only moves
 * bytes between HTTP and NATS. Jobs run concurrently (each yields between slices) and stream their slices back.
 */

const port = parentPort;
if (!port) throw new Error('event-batch.worker must run in a worker thread');

const cancelled = new Set<number>();
const post = (message: FromWorker) => port.postMessage(message);

async function read(job: Extract<ToWorker, { kind: 'read' }>): Promise<void> {
  const reader = new EventBatchReader(Buffer.from(job.body, job.offset, job.length), job.options);
  try {
    await reader.open();
    post({ kind: 'opened', id: job.id });
    for await (const slice of reader.slices()) {
      if (cancelled.has(job.id)) break;
      post({ kind: 'slice', id: job.id, slice: encodeSlice(slice) });
    }
    post({ kind: 'done', id: job.id });
  } catch (error) {
    post({ kind: 'failed', id: job.id, error: serializeError(error) });
  } finally {
    cancelled.delete(job.id);
  }
}

port.on('message', (message: ToWorker) => {
  if (message.kind === 'cancel') cancelled.add(message.id);
  else void read(message);
});
