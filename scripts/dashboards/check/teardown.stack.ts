/** A step that undoes something the check started; it throws to report that the undoing went wrong. */
export type TeardownStep = () => Promise<void>;

export interface TeardownFailure {
  step: string;
  error: unknown;
}

/**
 * What the check has started, undone in reverse order (the last thing started stops first), each step once,
 * every step run even when an earlier one fails. Steps are added as things start, so a run that fails half-way,
 * or is interrupted, still cleans up exactly what exists.
 */
export class TeardownStack {
  private readonly steps: { name: string; run: TeardownStep }[] = [];
  private running: Promise<TeardownFailure[]> | undefined;

  add(name: string, run: TeardownStep): void {
    this.steps.push({ name, run });
  }

  /**
   * Runs every step. A call made while a run is in progress (Ctrl-C during the regular clean-up, or the other way
   * round) joins it and resolves when it is complete, so nobody exits while a step is half done.
   */
  run(onStep: (name: string) => void = () => undefined): Promise<TeardownFailure[]> {
    this.running ??= this.drain(onStep).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(onStep: (name: string) => void): Promise<TeardownFailure[]> {
    const failures: TeardownFailure[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      onStep(step.name);
      try {
        await step.run();
      } catch (error) {
        failures.push({ step: step.name, error });
      }
    }
    return failures;
  }
}
