import { ReportUnavailableError } from './report-unavailable.error';

export interface ReportConcurrencyLimits {
  /** Reports computed at once. */
  concurrent: number;
  /** Reports waiting for a place; one more is refused at once. */
  queued: number;
  /** Retry-After of a refusal, in seconds. */
  retryAfterSeconds: number;
}

/** Gives the place back; calling it again does nothing. */
export type ReleasePlace = () => void;

interface Waiter {
  grant: (release: ReleasePlace) => void;
  timer: NodeJS.Timeout;
}

/**
 * At most `concurrent` reports at once, and at most `queued` more waiting for a place, each until its deadline.
 * Past that a report is refused at once (503, reason `busy`): an unbounded queue would hold every request of an
 * overload until its deadline, only to refuse it then. Places go to waiters in arrival order.
 */
export class ReportConcurrencyLimiter {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: ReportConcurrencyLimits) {}

  /** A place for one report, waited for until `deadline` (a `performance.now()` time) at most. */
  acquire(deadline: number): Promise<ReleasePlace> {
    const { concurrent, queued } = this.limits;
    if (this.running < concurrent) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= queued) {
      return Promise.reject(
        this.refusal(`every place for a report is taken (${concurrent} computed at once, ${queued} waiting)`),
      );
    }
    return new Promise<ReleasePlace>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          clearTimeout(waiter.timer);
          resolve(release);
        },
        timer: setTimeout(
          () => {
            this.waiting.splice(this.waiting.indexOf(waiter), 1);
            reject(
              this.refusal(`no place for the report came free before its deadline (${concurrent} computed at once)`),
            );
          },
          Math.max(0, deadline - performance.now()),
        ),
      };
      this.waiting.push(waiter);
    });
  }

  private releaser(): ReleasePlace {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The place passes straight to the next waiter, so a newcomer cannot take it first.
      const next = this.waiting.shift();
      if (next) next.grant(this.releaser());
      else this.running--;
    };
  }

  private refusal(why: string): ReportUnavailableError {
    const { retryAfterSeconds } = this.limits;
    return new ReportUnavailableError('REPORTER.BUSY', `${why}: retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}
