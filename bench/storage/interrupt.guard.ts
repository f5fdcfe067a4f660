/** Thrown by `InterruptGuard.check` after Ctrl-C: the run unwinds through its `finally` blocks and drops its databases. */
export class BenchInterruptedError extends Error {
  override readonly name = 'BenchInterruptedError';
}

/**
 * Turns the first Ctrl-C into an error at the next `check()`, between two writes, so a run of millions of events
 * still drops its database (gigabytes) on the way out. Dropping it from the signal handler instead would terminate
 * connections still in use, whose errors end the process before the drop is done. A second Ctrl-C ends it at once.
 */
export class InterruptGuard {
  private interrupted = false;
  private readonly onSignal = () => {
    console.error('\ninterrupted: stopping after the current statement and dropping the test databases');
    this.interrupted = true;
  };

  constructor() {
    process.once('SIGINT', this.onSignal);
  }

  check(): void {
    if (this.interrupted) throw new BenchInterruptedError('interrupted');
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
  }
}
