/**
 * Wraps a Kernel (fake or real) and records every state-changing call that reached it, so
 * the suite can count a hook's calls, tell acquiring from releasing calls, and find the
 * namespaces and nft tables a driver touched.
 */
import { isNftText, type Kernel, type NftTableRef } from "@netd/driverapi";

/** One recorded call. */
export interface RecordedCall {
  /** Dotted method name, e.g. "routes.add". */
  readonly method: string;
  readonly args: readonly unknown[];
  /** Set when the call threw. */
  readonly failed: boolean;
}

const GROUPS = ["netns", "links", "addresses", "routes", "sysctl", "nft", "conntrack"] as const;
const READS = /\.(get|list|exists|identity|listTable)$/;

/** Calls that add something: not allowed in a `release` phase. */
export function isAcquiring(call: RecordedCall): boolean {
  if (/^links\.add|^addresses\.add$|^routes\.add$/.test(call.method)) return true;
  if (call.method === "nft.updateElements") return (call.args[1] as Array<{ op: string }>).some((c) => c.op === "add");
  return false;
}

/** A call in words, e.g. `routes.add(/run/netns/x, {"to":"default","via":"10.0.0.1"})`. */
export function describeCall(call: RecordedCall): string {
  const text = call.args.map((a) => JSON.stringify(plain(a))).join(", ");
  return `${call.method}(${text.length > 160 ? `${text.slice(0, 157)}...` : text})`;
}

export class RecordingKernel {
  readonly kernel: Kernel;
  readonly calls: RecordedCall[] = [];
  /** Namespaces named by any call, and nft tables changed by any call (key "family name"). */
  readonly namespaces = new Set<string>();
  readonly tables = new Map<string, NftTableRef>();

  constructor(inner: Kernel) {
    const wrapped: Record<string, unknown> = { close: () => inner.close() };
    for (const group of GROUPS) {
      const api = inner[group] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const out: Record<string, unknown> = {};
      for (const [name, fn] of Object.entries(api)) {
        if (typeof fn !== "function") continue;
        const method = `${group}.${name}`;
        out[name] = async (...args: unknown[]): Promise<unknown> => {
          if (typeof args[0] === "string" && args[0].startsWith("/")) this.namespaces.add(args[0]);
          if (READS.test(method) || method === "sysctl.get") return fn.apply(api, args);
          this.noteTables(method, args);
          try {
            const result = await fn.apply(api, args);
            this.calls.push({ method, args: args.map(plain), failed: false });
            return result;
          } catch (e) {
            this.calls.push({ method, args: args.map(plain), failed: true });
            throw e;
          }
        };
      }
      wrapped[group] = out;
    }
    this.kernel = wrapped as unknown as Kernel;
  }

  /** Calls recorded since `mark` (an index from `calls.length`). */
  since(mark: number): RecordedCall[] {
    return this.calls.slice(mark);
  }

  private noteTables(method: string, args: unknown[]): void {
    if (method === "nft.replaceTable" || method === "nft.deleteTable") this.addTable(args[1] as NftTableRef);
    if (method === "nft.updateElements") for (const c of args[1] as Array<{ table: NftTableRef }>) this.addTable(c.table);
  }

  private addTable(t: NftTableRef): void {
    this.tables.set(`${t.family} ${t.name}`, { family: t.family, name: t.name });
  }
}

function plain(value: unknown): unknown {
  if (isNftText(value)) return value.text;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
