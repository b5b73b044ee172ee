/**
 * What the kernel holds, read back through the Kernel interface only (so it works on the
 * fake and on Linux): one sorted line per link, address, route and nft table, per namespace.
 * Link indexes and kernel-made link-local routes are left out (they change when a link is
 * made again, or appear with carrier); everything a driver could leave behind or forget to
 * restore is in.
 */
import type { Kernel, NftTableRef } from "@netd/driverapi";

/** Sorted lines, e.g. "/run/netns/x link eth0 kind=macvlan up mtu=1500 master=- mac=…". */
export type Observation = readonly string[];

export async function observe(kernel: Kernel, namespaces: Iterable<string>, tables: Iterable<NftTableRef>): Promise<Observation> {
  const lines: string[] = [];
  const tableList = [...tables];
  for (const ns of [...new Set(namespaces)].sort()) {
    if (!(await kernel.netns.exists(ns))) continue;
    for (const l of await kernel.links.list(ns)) {
      lines.push(`${ns} link ${l.name} kind=${l.kind || "-"} ${l.up ? "up" : "down"} mtu=${l.mtu} master=${l.master ?? "-"} mac=${l.mac || "-"}`);
    }
    for (const a of await kernel.addresses.list(ns)) lines.push(`${ns} address ${a.address} on ${a.link}`);
    for (const family of [4, 6] as const) {
      for (const r of await kernel.routes.list(ns, family)) {
        // Linux adds (and keeps) fe80::/64 per IPv6-enabled link once it has carrier: not the driver's doing.
        if (family === 6 && r.to === "fe80::/64") continue;
        const parts = [r.to, r.via ? `via ${r.via}` : "", r.dev ? `dev ${r.dev}` : "", r.metric !== undefined ? `metric ${r.metric}` : "", r.table !== undefined && r.table !== 254 ? `table ${r.table}` : ""];
        lines.push(`${ns} route${family === 6 ? " -6" : ""} ${parts.filter(Boolean).join(" ")}`);
      }
    }
    for (const t of tableList) {
      const body = await kernel.nft.listTable(ns, t);
      if (body !== null) lines.push(`${ns} nft table ${t.family} ${t.name} ${JSON.stringify(withoutHandles(body))}`);
    }
  }
  return lines.sort();
}

/** Lines added and removed between two observations, "+ …" / "- …"; empty when equal. */
export function diff(before: Observation, after: Observation): string[] {
  const b = new Set(before);
  const a = new Set(after);
  return [...after.filter((l) => !b.has(l)).map((l) => `+ ${l}`), ...before.filter((l) => !a.has(l)).map((l) => `- ${l}`)];
}

/** Formats a diff for a message: at most 12 lines. */
export function showDiff(lines: readonly string[]): string {
  const shown = lines.slice(0, 12).map((l) => `    ${l.length > 200 ? `${l.slice(0, 197)}...` : l}`);
  if (lines.length > 12) shown.push(`    … and ${lines.length - 12} more`);
  return shown.join("\n");
}

// nft's JSON carries handles that change whenever a table is made again.
function withoutHandles(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutHandles);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "handle").map(([k, v]) => [k, withoutHandles(v)]));
  }
  return value;
}
