/**
 * Undo actions of a multi-step operation, run in reverse on failure. Node 20 has no
 * AsyncDisposableStack, hence this small class.
 */
export class UndoStack {
  private readonly undos: Array<{ what: string; undo: () => Promise<void> | void }> = [];

  /** Registers the undo of a step that just succeeded. */
  push(what: string, undo: () => Promise<void> | void): void {
    this.undos.push({ what, undo });
  }

  /** Forgets every undo: the operation succeeded. */
  commit(): void {
    this.undos.length = 0;
  }

  /**
   * Runs every undo in reverse order, continuing past failures, and returns the failures
   * (each wrapped with what it was undoing) so the caller can report them.
   */
  async rollback(): Promise<Error[]> {
    const failures: Error[] = [];
    while (this.undos.length > 0) {
      const step = this.undos.pop()!;
      try {
        await step.undo();
      } catch (e) {
        failures.push(new Error(`undo of ${step.what} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
      }
    }
    return failures;
  }
}
