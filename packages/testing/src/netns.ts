import { existsSync } from "node:fs";
import { run, runOk } from "./exec.js";
import { NETNS_DIR } from "./names.js";
import type { TestNetns } from "./types.js";

/** Creates `/run/netns/NAME` with `ip netns add` and brings `lo` up; fails if it exists. */
export async function addNetns(name: string): Promise<TestNetns> {
  await runOk("ip", ["netns", "add", name]);
  try {
    await runOk("ip", ["-n", name, "link", "set", "lo", "up"]);
  } catch (err) {
    await deleteNetns(name);
    throw err;
  }
  return netnsHandle(name);
}

/**
 * Deletes `/run/netns/NAME`; a namespace that is already gone is fine. Only names the env
 * created or adopted get here (never a listing of /run/netns).
 */
export async function deleteNetns(name: string): Promise<void> {
  if (!existsSync(`${NETNS_DIR}/${name}`)) return;
  const result = await run("ip", ["netns", "del", name]);
  if (result.code !== 0 && existsSync(`${NETNS_DIR}/${name}`)) {
    throw new Error(`ip netns del ${name} failed (${result.code}): ${result.stderr.trim()}`);
  }
}

/** The {@link TestNetns} view of an existing namespace `name`. */
export function netnsHandle(name: string): TestNetns {
  return {
    name,
    path: `${NETNS_DIR}/${name}`,
    exec: (argv, options) => run("ip", ["netns", "exec", name, ...argv], options ?? {}),
    ipJson: async (args) => parseJson(await runOk("ip", ["-n", name, "-j", ...args]), `ip -n ${name} -j ${args.join(" ")}`),
    nftJson: async (args) => {
      const result = await run("ip", ["netns", "exec", name, "nft", "-j", ...args]);
      if (result.code !== 0) {
        if (/No such file/i.test(result.stderr)) return null;
        throw new Error(`nft -j ${args.join(" ")} in ${name} exited with ${result.code}: ${result.stderr.trim()}`);
      }
      return parseJson(result.stdout, `nft -j ${args.join(" ")} in ${name}`);
    },
  };
}

function parseJson(text: string, what: string): unknown {
  if (text.trim() === "") return [];
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${what} printed invalid JSON: ${text.slice(0, 200)}`, { cause: err });
  }
}
