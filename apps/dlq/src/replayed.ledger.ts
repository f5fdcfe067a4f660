import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';

/** What the ledger keeps of a letter replayed and stored again. */
export interface ReplayedEntry {
  seq: number;
  eventId: string | undefined;
  replayedAt: string;
}

/**
 * A small stream of its own recording the dead letters `replay` stored again (one message per letter, on
 * `<stream>.<seq>`), so `purge --replayed` deletes exactly those: letters stay in the dead-letter stream after a
 * replay until someone decides they may go.
 */
export class ReplayedLedger {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
  ) {}

  async record(entries: readonly ReplayedEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.ensureStream();
    for (const entry of entries) await this.js.publish(`${this.stream}.${entry.seq}`, JSON.stringify(entry));
  }

  /** Every recorded letter, and the ledger sequence up to which they were read (for {@link forget}). */
  async entries(): Promise<{ entries: ReplayedEntry[]; lastSeq: number }> {
    const state = await this.jsm.streams
      .info(this.stream)
      .then((info) => info.state)
      .catch((error: unknown) => {
        if (error instanceof Error && /stream not found/i.test(error.message)) return undefined;
        throw error;
      });
    if (state === undefined || state.messages === 0) return { entries: [], lastSeq: state?.last_seq ?? 0 };
    const entries: ReplayedEntry[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const stored = await this.jsm.streams.getMessage(this.stream, { seq }).catch(() => null);
      if (stored !== null) entries.push(stored.json<ReplayedEntry>());
    }
    return { entries, lastSeq: state.last_seq };
  }

  /** Drops the entries read up to `lastSeq`; any recorded since stay. */
  async forget(lastSeq: number): Promise<void> {
    if (lastSeq > 0) await this.jsm.streams.purge(this.stream, { seq: lastSeq + 1 });
  }

  private async ensureStream(): Promise<void> {
    const exists = await this.jsm.streams.info(this.stream).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await this.jsm.streams.add({ name: this.stream, subjects: [`${this.stream}.*`], max_msgs_per_subject: 1 });
    }
  }
}
