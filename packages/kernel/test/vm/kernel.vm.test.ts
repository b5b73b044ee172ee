// The netd Linux kernel layer (rtnetlink through the native addon, libnftables) on a kernel
// that has ipvlan and dummy: runs inside the qemu guest of @netd/testing's VM harness.
import { describe, expect, it } from "vitest";
import { nft } from "@netd/driverapi";
import { useTestEnv, type TestNetns } from "@netd/testing";
import { ipLink, useKernel } from "../int/helpers.js";

async function ok(ns: TestNetns, argv: string[]): Promise<void> {
  const r = await ns.exec(argv);
  expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(0);
}

describe("kernel layer on a real ipvlan kernel", () => {
  const env = useTestEnv("vm-kernel");
  const kernel = useKernel();

  it("links.addChild creates ipvlan L2 children of a dummy parent directly in two namespaces; TCP flows between them", async () => {
    const host = await env().netns("h");
    const a = await env().netns("a");
    const b = await env().netns("b");
    await ok(host, ["ip", "link", "add", "d0", "type", "dummy"]);
    await ok(host, ["ip", "link", "set", "d0", "up"]);
    const k = kernel();
    for (const [ns, addr] of [[a, "10.89.0.2/24"], [b, "10.89.0.3/24"]] as const) {
      const info = await k.links.addChild(host.path, { name: "eth0", parent: "d0", kind: "ipvlan", mode: "l2", netns: ns.path });
      expect(info).toMatchObject({ name: "eth0", kind: "ipvlan" });
      await k.addresses.add(ns.path, "eth0", addr);
      await k.links.set(ns.path, "eth0", { up: true });
      const ip = await ipLink(ns, "eth0");
      expect(ip?.linkinfo?.info_kind).toBe("ipvlan");
      expect(ip?.linkinfo?.info_data?.["mode"]).toBe("l2");
    }
    expect(await ipLink(host, "eth0")).toBeUndefined();
    const server = await env().startEchoServer(b, { proto: "tcp", address: "10.89.0.3", port: 0 });
    expect(await env().sendAndReceive(a, { proto: "tcp", address: "10.89.0.3", port: server.port, payload: "k", timeoutMs: 20_000 })).toBe("echo:k");
    await server.stop();
  });

  it("nft.replaceTable loads a NAT table through libnftables and it rewrites real traffic", async () => {
    const a = await env().netns("a");
    const b = await env().netns("b");
    await ok(a, ["ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.name]);
    await ok(a, ["ip", "addr", "add", "10.90.0.1/24", "dev", "va"]);
    await ok(b, ["ip", "addr", "add", "10.90.0.2/24", "dev", "vb"]);
    await ok(a, ["ip", "link", "set", "va", "up"]);
    await ok(b, ["ip", "link", "set", "vb", "up"]);
    const server = await env().startEchoServer(b, { proto: "tcp", address: "10.90.0.2", port: 0 });
    // Port 7 on a nonexistent address is redirected by the table to the echo server.
    await kernel().nft.replaceTable(a.path, { family: "inet", name: "netd" }, nft`chain output {
  type nat hook output priority -100; policy accept;
  ip daddr 10.90.0.9 tcp dport 7 dnat ip to 10.90.0.2:${server.port}
}`);
    const table = (await a.nftJson(["list", "table", "inet", "netd"])) as { nftables: { chain?: { name: string } }[] } | null;
    expect(table?.nftables.some((i) => i.chain?.name === "output")).toBe(true);
    expect(await env().sendAndReceive(a, { proto: "tcp", address: "10.90.0.9", port: 7, payload: "nat", timeoutMs: 20_000 })).toBe("echo:nat");
    await kernel().nft.deleteTable(a.path, { family: "inet", name: "netd" });
    await server.stop();
  });
});
