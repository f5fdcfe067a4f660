import type { JetStreamManager } from '@nats-io/jetstream';
import type { ReplayedLedger } from './replayed.ledger';

/**
 * Deletes the letters the ledger says were replayed and stored again, then forgets them. A letter already gone
 * (deleted by hand, aged out) is reported as such and forgotten too.
 */
export async function purgeReplayedCommand(
  dependencies: { jsm: JetStreamManager; ledger: ReplayedLedger; stream: string },
  options: { dryRun: boolean; json: boolean },
  out: (text: string) => void,
): Promise<void> {
  const { jsm, ledger, stream } = dependencies;
  const { entries, lastSeq } = await ledger.entries();
  const sequences = [...new Set(entries.map((entry) => entry.seq))].sort((a, b) => a - b);
  if (options.dryRun) {
    if (options.json) out(JSON.stringify({ purged: sequences, alreadyGone: [], dryRun: true }, null, 2));
    else out(`dry run: ${sequences.length} replayed letters would be deleted from ${stream}${listed(sequences)}`);
    return;
  }
  const purged: number[] = [];
  const alreadyGone: number[] = [];
  for (const seq of sequences) {
    const deleted = await jsm.streams.deleteMessage(stream, seq).catch((error: unknown) => {
      if (error instanceof Error && /no message found/i.test(error.message)) return false;
      throw error;
    });
    (deleted ? purged : alreadyGone).push(seq);
  }
  await ledger.forget(lastSeq);
  if (options.json) {
    out(JSON.stringify({ purged, alreadyGone }, null, 2));
    return;
  }
  out(`deleted ${purged.length} replayed letters from ${stream}${listed(purged)}`);
  if (alreadyGone.length > 0) out(`${alreadyGone.length} were already gone${listed(alreadyGone)}`);
}

const listed = (sequences: readonly number[]) => (sequences.length > 0 ? `: ${sequences.join(', ')}` : '');
