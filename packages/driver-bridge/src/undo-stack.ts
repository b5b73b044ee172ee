/**
 * Undo actions of a multi-step kernel operation, run in reverse on failure (STYLE.md
 * practice 7). The driver keeps its own copy: it depends on @netd/driverapi only.
 */
export class UndoStack {
  private readonly undos: Array<{ what: string; undo: () => Promise<void> | void }> = [];

  /** Registers the undo of a step that just succeeded. */
  push(what: string, undo: () => Promise<void> | void): void {
    this.undos.push({ what, undo });
  }

  /**
   * Runs every undo in reverse order, continuing past failures; returns the failures, each
   * naming the step it was undoing, so the caller can log them next to the original error.
   */
  async rollback(): Promise<Error[]> {
    const failures: Error[] = [];
    for (let step = this.undos.pop(); step; step = this.undos.pop()) {
      try {
        await step.undo();
      } catch (e) {
        failures.push(new Error(`undo of ${step.what} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
      }
    }
    return failures;
  }
}
