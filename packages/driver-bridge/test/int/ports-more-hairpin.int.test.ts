// TestPortMappedHairpinTCP / TestPortMappedHairpinUDP (reference §8.1 #2, #3, with #7 and #12):
// containers reach published ports through the host's addresses — their own port, a
// neighbour's on the same bridge, and from a container on ANOTHER bridge network (also
// through that network's own gateway address) — over IPv4 and IPv6, proxy on and off.
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { HOST4, HOST6, makeWorld, tcpPb, udpPb } from "../support/ports-world.js";
import { bindingsOf } from "../support/ports-more.js";

// proxy on: netd-proxy, as the daemon runs it; "inline": the driver's in-process fallback.
const cases = [
  { proto: "tcp", proxy: true, x: 60 },
  { proto: "tcp", proxy: false, x: 62 },
  { proto: "udp", proxy: true, x: 64 },
  { proto: "udp", proxy: false, x: 66 },
  { proto: "tcp", proxy: "inline", x: 68 },
] as const;

describe("hairpin through published ports", () => {
  const env = useTestEnv("bridge-hairpin");

  for (const { proto, proxy, x } of cases) {
    const name = proto === "tcp" ? "TestPortMappedHairpinTCP" : "TestPortMappedHairpinUDP";
    it(`${name} (proxy ${proxy === "inline" ? "in-process" : proxy ? "netd-proxy" : "off"}): itself, a neighbour and another network reach host:port over IPv4 and IPv6`, async () => {
      const w = await makeWorld(env(), { userlandProxy: proxy !== false, proxyProcess: proxy !== "inline" });
      const pb = proto === "tcp" ? tcpPb : udpPb;
      await w.network("a", x, true, true);
      await w.network("b", x + 1, true, true);
      const s1 = await w.sandbox("s1", [pb(80)]); // ephemeral host port, as in the reference
      const s2 = await w.sandbox("s2", [pb(80)]);
      const s3 = await w.sandbox("s3", []);
      const ep1 = await w.connect("a", "s1");
      const ep2 = await w.connect("a", "s2");
      await w.connect("b", "s3");
      // "::" without ipv6Only: one socket serves both families (UDP answers v4 via mapped addresses).
      await env().startEchoServer(s1.ns, { proto, address: "::", port: 80, reply: "s1" });
      await env().startEchoServer(s2.ns, { proto, address: "::", port: 80, reply: "s2" });
      const portOf = async (epId: string) => {
        const ports = new Set((await bindingsOf(w.agent, epId)).map((b) => b.hostPort));
        expect(ports.size).toBe(1); // one host port for 0.0.0.0 and ::
        return [...ports][0]!;
      };
      const targets = [
        { server: "s1", port: await portOf(ep1.id) },
        { server: "s2", port: await portOf(ep2.id) },
      ];
      expect(targets[0]!.port).not.toBe(targets[1]!.port);
      const clients = [
        { label: "s1", ns: s1.ns, addresses: [HOST4, HOST6] },
        { label: "s2", ns: s2.ns, addresses: [HOST4, HOST6] },
        // Another network: through the host's addresses and its own gateway's (#12).
        { label: "s3", ns: s3.ns, addresses: [HOST4, HOST6, `10.32.${x + 1}.1`, `fd00:32:${x + 1}::1`] },
      ];
      const got: string[] = [];
      const want: string[] = [];
      for (const c of clients) {
        for (const t of targets) {
          for (const address of c.addresses) {
            const payload = `${c.label}>${t.server}@${address}`;
            want.push(`${t.server}:${payload}`);
            got.push(await env().sendAndReceive(c.ns, { proto, address, port: t.port, payload }).catch((e: Error) => `FAILED ${payload}: ${e.message}`));
          }
        }
      }
      expect(got).toEqual(want);
      await w.agent.call("close");
    });
  }
});
