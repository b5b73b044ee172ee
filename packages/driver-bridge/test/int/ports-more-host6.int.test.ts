// TestAccessPublishedPortFromHost (reference §8.1 #5) with the userland proxy OFF over IPv6:
// the host reaches a published port on every IPv6 address it has (uplink, a second interface,
// the bridges' gateway addresses), for a dual-stack and an IPv6-only network. [::1] is refused
// by design (nftables-layout.md §2 `nat_output`: "::1 cannot be DNATed to a bridge"; the
// reference skips ::1 without the proxy): it is not DNATed, so it meets the port reservation's
// own socket on [::], which accepts and resets at once (portallocator bind-socket.ts: Node
// cannot listen without accepting). So the client sees ECONNRESET quickly, never a hang and
// never the container. (nftables-layout.md §5 f3 saw "refused" because no reservation existed.)
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { HOST6, makeWorld, tcpPb } from "../support/ports-world.js";

const SECOND6 = "2001:db8:33::1";

describe("published ports from the host over IPv6, proxy off", () => {
  const env = useTestEnv("bridge-host6");

  it("TestAccessPublishedPortFromHost (proxy off, IPv6): every host IPv6 address works; [::1] is not DNATed (reset by the reservation)", async () => {
    const w = await makeWorld(env(), { userlandProxy: false });
    for (const argv of [
      // A second interface (this kernel has no dummy driver): a veth pair inside the host namespace.
      ["ip", "link", "add", "d6", "type", "veth", "peer", "name", "d6p"],
      ["ip", "addr", "add", `${SECOND6}/64`, "dev", "d6", "nodad"],
      ["ip", "link", "set", "d6p", "up"],
      ["ip", "link", "set", "d6", "up"],
    ]) {
      const r = await w.host.exec(argv);
      expect(r.code, r.stderr).toBe(0);
    }
    await w.network("ds", 80, true, true);
    await w.network("v6", 81, false, true);
    const c1 = await w.sandbox("c1", [tcpPb(80, 8080)]);
    const c2 = await w.sandbox("c2", [tcpPb(80, 8081)]);
    await w.connect("ds", "c1");
    await w.connect("v6", "c2");
    await env().startEchoServer(c1.ns, { proto: "tcp", address: "::", port: 80, reply: "ds" });
    await env().startEchoServer(c2.ns, { proto: "tcp", address: "::", port: 80, reply: "v6" });

    const got: string[] = [];
    const want: string[] = [];
    for (const address of [HOST6, SECOND6, "fd00:32:80::1", "fd00:32:81::1"]) {
      for (const [port, reply] of [[8080, "ds"], [8081, "v6"]] as const) {
        want.push(`${reply}:${address}`);
        got.push(await env().sendAndReceive(w.host, { proto: "tcp", address, port, payload: address }).catch((e: Error) => `FAILED ${address}:${port}: ${e.message}`));
      }
    }
    expect(got).toEqual(want);
    // The IPv6-only network has no IPv4 binding at all (no 6-to-4 or 4-to-6 without the proxy).
    expect(await env().canReach(w.host, { proto: "tcp", address: "127.0.0.1", port: 8081 })).toBe(false);
    expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "127.0.0.1", port: 8080, payload: "lo4" })).toBe("ds:lo4");

    for (const port of [8080, 8081]) {
      const t0 = performance.now();
      await expect(env().sendAndReceive(w.host, { proto: "tcp", address: "::1", port, payload: "lo6", timeoutMs: 3000 })).rejects.toThrow(/ECONNRESET talking to tcp \[::1\]/);
      expect(performance.now() - t0).toBeLessThan(2000);
    }
    // The refusal is by design, not a lost port: the same host ports still serve the uplink.
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST6, port: 8081, payload: "r" })).toBe("v6:r");
    await w.agent.call("close");
  });
});
