/** Runs one scenario in a fresh world and turns an unexpected throw into a finding. */
import { Harness } from "../harness/harness.js";
import type { CheckName, ConformanceOptions, Finding } from "../types.js";

/** Collects findings of one check. */
export class Findings {
  readonly list: Finding[] = [];
  constructor(readonly check: CheckName) {}
  add(message: string): void {
    this.list.push({ check: this.check, message });
  }
}

/**
 * Opens a world, runs `body`, always closes it. A throw from the driver where the scenario
 * expected success becomes a finding saying which step failed.
 */
export async function scenario(options: ConformanceOptions, findings: Findings, title: string, body: (h: Harness) => Promise<void>): Promise<void> {
  let h: Harness;
  try {
    h = await Harness.open(options);
  } catch (e) {
    findings.add(`${title}: setting up failed (prepare, makeDriver or restore with an empty snapshot threw): ${errorText(e)}`);
    return;
  }
  try {
    await body(h);
  } catch (e) {
    findings.add(`${title}: ${errorText(e)}`);
  } finally {
    await h.close();
  }
}

/** An error's message, with its code when it is a NetdError. */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}

/** Runs `step`; when it throws, rethrows with what the suite was doing, for the scenario's finding. */
export async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new Error(`${what} threw ${errorText(e)}`, { cause: e });
  }
}
