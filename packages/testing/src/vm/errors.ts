/**
 * A harness setup step that cannot be done on this machine (qemu or the kernel missing,
 * download refused). The message names what is missing and how to get it; the runner turns
 * it into a failed report for every package with VM tests (never a skip).
 */
export class VmSetupError extends Error {
  constructor(
    /** Stable code, e.g. "VM_QEMU_MISSING". */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "VmSetupError";
  }
}
