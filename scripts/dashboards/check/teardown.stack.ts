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

  add(name: string, run: TeardownStep): void {
    this.steps.push({ name, run });
  }

  async run(onStep: (name: string) => void = () => undefined): Promise<TeardownFailure[]> {
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
