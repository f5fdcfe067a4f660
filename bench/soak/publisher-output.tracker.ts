import { type PublisherProgress, type PublisherReply, parsePublisherProgress, parsePublisherReply } from '@evp/testing';

/** Follows a running emulator through its output: its latest totals, and the replies since they were last taken. */
export class PublisherOutputTracker {
  private latest: PublisherProgress | undefined;
  private replies: PublisherReply[] = [];

  /** Takes in one output line; false when it was neither a progress nor a request line (start, summary, warnings). */
  take(line: string): boolean {
    const progress = parsePublisherProgress(line);
    if (progress) {
      this.latest = progress;
      return true;
    }
    const reply = parsePublisherReply(line);
    if (reply) this.replies.push(reply);
    return reply !== undefined;
  }

  /** The totals of the latest progress line; undefined before the first one. */
  get progress(): PublisherProgress | undefined {
    return this.latest;
  }

  /** The replies that came since the last call. */
  takeReplies(): PublisherReply[] {
    const replies = this.replies;
    this.replies = [];
    return replies;
  }
}
