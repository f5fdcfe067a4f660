import { deadLetterSubject } from '@evp/contracts';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { DlqConfig } from './dlq.config';
import { type DeadLetterRecord, recordOf } from './dead-letter.record';

/** Letters chosen by sequence: those found, and the sequences that hold none (deleted, aged out, never written). */
export interface LettersBySequence {
  found: DeadLetterRecord[];
  missing: number[];
}

/**
 * Reads the dead-letter stream one message at a time by sequence (a direct get where the stream allows it), so the
 * newest letters cost as many requests as are shown, however long the stream is.
 */
export class DeadLetterReader {
  constructor(
    private readonly jsm: JetStreamManager,
    private readonly config: Pick<DlqConfig, 'stream' | 'prefix'>,
  ) {}

  /** Letters of one origin, or all, oldest first. */
  subjectOf(origin: string | undefined): string {
    return origin === undefined ? `${this.config.prefix}.>` : deadLetterSubject(origin, this.config.prefix);
  }

  /** How many letters the stream holds, of one origin or all. */
  async count(origin: string | undefined): Promise<number> {
    const filter = origin === undefined ? undefined : { subjects_filter: this.subjectOf(origin) };
    const info = await this.jsm.streams.info(this.config.stream, filter).catch((error: unknown) => {
      if (error instanceof Error && /stream not found/i.test(error.message))
        throw new Error(`no stream ${this.config.stream} on the server (DEAD_LETTER_STREAM names it)`, {
          cause: error,
        });
      throw error;
    });
    if (origin === undefined) return info.state.messages;
    return Object.values(info.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
  }

  /** The newest `limit` letters (of one origin, or all), oldest of them first, read backwards from the last sequence. */
  async newest(limit: number, origin: string | undefined): Promise<{ letters: DeadLetterRecord[]; total: number }> {
    const total = await this.count(origin);
    const { first_seq: first, last_seq: last } = (await this.jsm.streams.info(this.config.stream)).state;
    const wanted = Math.min(limit, total);
    const subject = origin === undefined ? undefined : this.subjectOf(origin);
    const letters: DeadLetterRecord[] = [];
    for (let seq = last; seq >= first && letters.length < wanted; seq--) {
      const letter = await this.one(seq);
      if (letter !== undefined && (subject === undefined || letter.subject === subject)) letters.push(letter);
    }
    return { letters: letters.reverse(), total };
  }

  /** Every letter (of one origin, or all), oldest first. */
  async *all(origin: string | undefined): AsyncGenerator<DeadLetterRecord> {
    const subject = origin === undefined ? undefined : this.subjectOf(origin);
    const { first_seq: first, last_seq: last, messages } = (await this.jsm.streams.info(this.config.stream)).state;
    for (let seq = first; messages > 0 && seq <= last; seq++) {
      const letter = await this.one(seq);
      if (letter !== undefined && (subject === undefined || letter.subject === subject)) yield letter;
    }
  }

  async bySequence(sequences: readonly number[]): Promise<LettersBySequence> {
    const found: DeadLetterRecord[] = [];
    const missing: number[] = [];
    for (const seq of sequences) {
      const letter = await this.one(seq);
      if (letter === undefined) missing.push(seq);
      else found.push(letter);
    }
    return { found, missing };
  }

  /** The letter at `seq`; undefined when there is none (the server answers "no message found"). */
  async one(seq: number): Promise<DeadLetterRecord | undefined> {
    const stored = await this.jsm.streams.getMessage(this.config.stream, { seq }).catch((error: unknown) => {
      if (error instanceof Error && /no message found/i.test(error.message)) return null;
      throw this.explained(error);
    });
    return stored === null ? undefined : recordOf(stored, this.config.prefix);
  }

  /** The server's bare "stream not found", with the stream's name and the variable that sets it. */
  private explained(error: unknown): unknown {
    if (!(error instanceof Error && /stream not found/i.test(error.message))) return error;
    return new Error(`no stream ${this.config.stream} on the server (DEAD_LETTER_STREAM names it)`, { cause: error });
  }
}
