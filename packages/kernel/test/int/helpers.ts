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

/** A host namespace with bridge br0 (10.77.0.1/24, fd77::1/64) and a container on it. */
export async function attach(k: Kernel, host: TestNetns, ctr: TestNetns): Promise<void> {
  await k.links.addBridge(host.path, { name: "br0", up: true });
  await k.addresses.add(host.path, "br0", "10.77.0.1/24");
  await k.addresses.add(host.path, "br0", "fd77::1/64", { nodad: true });
  await k.links.addVeth(host.path, { name: "vh0", master: "br0", up: true, peer: { name: "eth0", netns: ctr.path } });
  await k.addresses.add(ctr.path, "eth0", "10.77.0.2/24");
  await k.addresses.add(ctr.path, "eth0", "fd77::2/64", { nodad: true });
  await k.links.set(ctr.path, "eth0", { up: true });
  await k.routes.add(ctr.path, { to: "default", family: 4, via: "10.77.0.1" });
  await k.routes.add(ctr.path, { to: "default", family: 6, via: "fd77::1", dev: "eth0" });
}

