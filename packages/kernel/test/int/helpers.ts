// Shared helpers of the kernel integration tests: a Kernel per test, closed before the
// harness cleans the namespaces up, and typed readers of `ip -j` output.
import { afterEach, beforeEach, expect } from "vitest";
import { isNetdError, type Kernel } from "@netd/driverapi";
import type { TestNetns } from "@netd/testing";
import { createLinuxKernel } from "../../src/index.js";

/** Registers a Kernel per test; call after useTestEnv() so it closes first. */
export function useKernel(): () => Kernel {
  let kernel: Kernel | undefined;
  beforeEach(() => {
    kernel = createLinuxKernel();
  });
  afterEach(async () => {
    await kernel?.close();
    kernel = undefined;
  });
  return () => kernel!;
}

/** One link of `ip -j link show`. */
export interface IpLink {
  ifname: string;
  ifindex: number;
  flags: string[];
  mtu: number;
  address?: string;
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown>; info_slave_kind?: string; info_slave_data?: Record<string, unknown> };
}

export async function ipLinks(ns: TestNetns): Promise<IpLink[]> {
  return (await ns.ipJson(["-d", "link", "show"])) as IpLink[];
}

export async function ipLink(ns: TestNetns, name: string): Promise<IpLink | undefined> {
  return (await ipLinks(ns)).find((l) => l.ifname === name);
}

/** `ip -j addr show` flattened to "addr/prefix" per link. */
export async function ipAddrs(ns: TestNetns, dev: string): Promise<string[]> {
  const out = (await ns.ipJson(["addr", "show", "dev", dev])) as { addr_info: { local: string; prefixlen: number; scope: string }[] }[];
  return out.flatMap((l) => l.addr_info.filter((a) => a.scope === "global").map((a) => `${a.local}/${a.prefixlen}`));
}

/** Asserts that `p` rejects with a NetdError of this code and category; returns it. */
export async function expectNetdError(p: Promise<unknown>, code: string, category: string) {
  const err: unknown = await p.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  expect(isNetdError(err), String(err)).toBe(true);
  expect({ code: (err as { code: string }).code, category: (err as { category: string }).category }).toEqual({ code, category });
  return err as Error & { code: string; details: Record<string, unknown> };
}
