import { existsSync, readdirSync } from "node:fs";
import { run } from "./exec.js";
import { NETNS_DIR } from "./names.js";
import type { TrackedProcess } from "./processes.js";

/** What {@link findLeftovers} needs to know about one env. */
export interface LeftoverScope {
  readonly prefix: string;
  readonly adopted: readonly string[];
  readonly processes: readonly TrackedProcess[];
}

/**
 * Lists everything the env left behind, one line each; empty means clean. Only reads: the
 * root namespace's links and nft tables are listed, never changed.
 */
export async function findLeftovers(scope: LeftoverScope): Promise<string[]> {
  const left: string[] = [];
  const entries = existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR) : [];
  for (const entry of entries) if (entry.startsWith(scope.prefix)) left.push(`namespace ${NETNS_DIR}/${entry}`);
  for (const name of scope.adopted) {
    if (!name.startsWith(scope.prefix) && existsSync(`${NETNS_DIR}/${name}`)) left.push(`adopted namespace ${NETNS_DIR}/${name}`);
  }
  for (const proc of scope.processes) if (!proc.exited()) left.push(`process ${proc.pid} (${proc.command})`);

  const links = await run("ip", ["-j", "link", "show"]);
  if (links.code !== 0) throw new Error(`ip -j link show failed: ${links.stderr.trim()}`);
  for (const link of JSON.parse(links.stdout || "[]") as { ifname?: string }[]) {
    if (link.ifname?.startsWith(scope.prefix)) left.push(`link ${link.ifname} in the root namespace`);
  }

  const tables = await run("nft", ["-j", "list", "tables"]);
  if (tables.code !== 0) throw new Error(`nft -j list tables failed: ${tables.stderr.trim()}`);
  const parsed = JSON.parse(tables.stdout || "{}") as { nftables?: { table?: { family: string; name: string } }[] };
  for (const item of parsed.nftables ?? []) {
    const table = item.table;
    if (table && (table.name.startsWith("netd") || table.name.startsWith(scope.prefix))) {
      left.push(`nft table ${table.family} ${table.name} in the root namespace`);
    }
  }
  return left;
}
