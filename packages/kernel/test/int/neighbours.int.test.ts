// neighbours.delete: removes one cached ARP/NDP entry on a link, read back with `ip -j neigh`;
// a missing entry or link is fine; bad values are refused before any syscall.
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { expectNetdError, useKernel } from "./helpers.js";

describe("neighbours", () => {
  const env = useTestEnv("kern-neigh");
  const kernel = useKernel();

  it("deletes the entry of one address on one link, for IPv4 and IPv6", async () => {
    const ns = await env().netns("n");
    const k = kernel();
    await k.links.addBridge(ns.path, { name: "br0", up: true });
    for (const [ip, mac] of [["10.78.0.5", "02:00:00:00:00:05"], ["10.78.0.6", "02:00:00:00:00:06"], ["fd78::5", "02:00:00:00:00:07"]] as const) {
      const add = await ns.exec(["ip", "neigh", "add", ip, "lladdr", mac, "dev", "br0", "nud", "reachable"]);
      expect(add.code, add.stderr).toBe(0);
    }
    const dsts = async () => ((await ns.ipJson(["neigh", "show", "dev", "br0"])) as Array<{ dst: string }>).map((n) => n.dst).sort();
    expect(await dsts()).toEqual(["10.78.0.5", "10.78.0.6", "fd78::5"]);
    await k.neighbours!.delete(ns.path, "br0", "10.78.0.5");
    await k.neighbours!.delete(ns.path, "br0", "fd78::5");
    expect(await dsts()).toEqual(["10.78.0.6"]);
    await k.neighbours!.delete(ns.path, "br0", "10.78.0.5");
    await k.neighbours!.delete(ns.path, "nosuchlink", "10.78.0.6");
    expect(await dsts()).toEqual(["10.78.0.6"]);
    await expectNetdError(k.neighbours!.delete(ns.path, "br0", "10.78.0.300"), "INVALID_ADDRESS", "invalid");
    await expectNetdError(k.neighbours!.delete(ns.path, "br;0", "10.78.0.6"), "INVALID_INTERFACE_NAME", "invalid");
  });
});
