import type { TestNetns } from "./types.js";

/** One end of a link between two test namespaces. */
export interface LinkEnd {
  readonly ns: TestNetns;
  /** Interface name in that namespace. */
  readonly name: string;
  /** Addresses with prefix, e.g. "198.51.100.1/24", "2001:db8::1/64" (IPv6 without DAD). */
  readonly addresses: readonly string[];
}

async function must(ns: TestNetns, argv: readonly string[]): Promise<void> {
  const r = await ns.exec(argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} in ${ns.name} failed (${r.code}): ${r.stderr.trim()}`);
}

/**
 * Joins two test namespaces with a veth pair created INSIDE the first one (never in the root
 * namespace), gives each end its addresses and brings both up — e.g. a "remote" host on the
 * uplink of netd's "host" namespace. The pair goes away with the namespaces.
 */
export async function linkNetns(a: LinkEnd, b: LinkEnd): Promise<void> {
  await must(a.ns, ["ip", "link", "add", a.name, "type", "veth", "peer", "name", b.name, "netns", b.ns.name]);
  for (const end of [a, b]) {
    for (const addr of end.addresses) await must(end.ns, ["ip", "addr", "add", addr, "dev", end.name, ...(addr.includes(":") ? ["nodad"] : [])]);
    await must(end.ns, ["ip", "link", "set", end.name, "up"]);
  }
}
