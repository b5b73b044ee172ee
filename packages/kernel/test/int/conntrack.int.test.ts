// conntrack.delete: real UDP flows create entries in the host namespace (conntrack is
// enabled there by a netd table with a ct rule); the `conntrack` tool is the oracle.
import { describe, expect, it } from "vitest";
import { useTestEnv, type TestNetns } from "@netd/testing";
import { nft } from "@netd/driverapi";
import { attach, expectNetdError, useKernel } from "./helpers.js";

async function entries(ns: TestNetns, port: number): Promise<number> {
  const r = await ns.exec(["conntrack", "-L", "-p", "udp", "--dport", String(port)]);
  return r.stdout.split("\n").filter((l) => l.includes(`dport=${port}`)).length;
}

describe("conntrack", () => {
  const env = useTestEnv("kern-ct");
  const kernel = useKernel();

  it("delete removes only the matching entries and returns how many", async () => {
    const host = await env().netns("h");
    const ctr = await env().netns("c");
    const k = kernel();
    await attach(k, host, ctr);
    await k.nft.replaceTable(host.path, { family: "inet", name: "netd" }, nft`chain input {
  type filter hook input priority filter; policy accept;
  ct state new accept
}`);
    const a = await env().startEchoServer(host, { proto: "udp", address: "0.0.0.0", port: 7081 });
    const b = await env().startEchoServer(host, { proto: "udp", address: "0.0.0.0", port: 7082 });
    try {
      expect(await env().sendAndReceive(ctr, { proto: "udp", address: "10.77.0.1", port: 7081, payload: "x" })).toBe("echo:x");
      expect(await env().sendAndReceive(ctr, { proto: "udp", address: "10.77.0.1", port: 7082, payload: "y" })).toBe("echo:y");
      expect(await entries(host, 7081)).toBe(1);
      expect(await entries(host, 7082)).toBe(1);
      const n = await k.conntrack.delete(host.path, { family: 4, protocol: "udp", origDst: "10.77.0.1", origDstPort: 7081, replySrc: "10.77.0.1" });
      expect(n).toBe(1);
      expect(await entries(host, 7081)).toBe(0);
      expect(await entries(host, 7082)).toBe(1);
      expect(await k.conntrack.delete(host.path, { family: 4, protocol: "udp", origDstPort: 7081 })).toBe(0);
      expect(await k.conntrack.delete(host.path, { family: 4, protocol: "tcp", origDstPort: 7082 })).toBe(0);
      expect(await k.conntrack.delete(host.path, { family: 6, protocol: "udp", origDstPort: 7082 })).toBe(0);
      expect(await entries(host, 7082)).toBe(1);
      expect(await k.conntrack.delete(host.path, { family: 4, protocol: "udp", origDst: "10.77.0.1" })).toBe(1);
      expect(await entries(host, 7082)).toBe(0);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it("rejects bad filters before any syscall", async () => {
    const host = await env().netns("h");
    const k = kernel();
    await expectNetdError(k.conntrack.delete(host.path, { family: 4, protocol: "icmp" as never }), "INVALID_ADDRESS", "invalid");
    await expectNetdError(k.conntrack.delete(host.path, { family: 4, protocol: "udp", origDst: "fd00::1" }), "INVALID_ADDRESS", "invalid");
    await expectNetdError(k.conntrack.delete(host.path, { family: 4, protocol: "udp", origDstPort: 70000 }), "INVALID_ADDRESS", "invalid");
    await expectNetdError(k.conntrack.delete(`/run/netns/${env().prefix}-none`, { family: 4, protocol: "udp" }), "NETNS_NOT_FOUND", "not_found");
  });
});
