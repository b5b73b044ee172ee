import { describe, expect, it } from "vitest";
import { useTestEnv, type TestNetns } from "../../src/index.js";

// Runs inside the qemu guest (Debian's kernel): dummy and ipvlan exist there, unlike on the
// host kernel. The links live in namespaces the test creates, like every integration test.
async function ok(ns: TestNetns, argv: string[]): Promise<string> {
  const r = await ns.exec(argv);
  expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

describe("real kernel in the guest", () => {
  const env = useTestEnv("vm ipvlan");

  it("runs Debian's kernel, not the host's", async () => {
    const ns = await env().netns("k");
    expect((await ok(ns, ["uname", "-r"])).trim()).toMatch(/^6\.1\.0-\d+-amd64$/);
  });

  it("creates a dummy parent and two ipvlan L2 slaves in two namespaces that exchange real packets", async () => {
    const host = await env().netns("h");
    const a = await env().netns("a");
    const b = await env().netns("b");
    await ok(host, ["ip", "link", "add", "d0", "type", "dummy"]);
    await ok(host, ["ip", "link", "set", "d0", "up"]);
    for (const [name, ns, addr] of [["ipa", a, "10.88.0.2/24"], ["ipb", b, "10.88.0.3/24"]] as const) {
      await ok(host, ["ip", "link", "add", name, "link", "d0", "type", "ipvlan", "mode", "l2"]);
      await ok(host, ["ip", "link", "set", name, "netns", ns.name]);
      await ok(ns, ["ip", "addr", "add", addr, "dev", name]);
      await ok(ns, ["ip", "link", "set", name, "up"]);
    }
    // busybox's ip would not know ipvlan: the harness puts iproute2 first, prove it.
    const details = (await a.ipJson(["-d", "link", "show", "ipa"])) as { linkinfo?: { info_kind?: string; info_data?: { mode?: string } } }[];
    expect(details[0]?.linkinfo?.info_kind).toBe("ipvlan");
    expect(details[0]?.linkinfo?.info_data?.mode).toBe("l2");

    await ok(a, ["ping", "-c", "1", "-W", "5", "10.88.0.3"]);
    const server = await env().startEchoServer(b, { proto: "tcp", address: "10.88.0.3", port: 0 });
    expect(await env().sendAndReceive(a, { proto: "tcp", address: "10.88.0.3", port: server.port, payload: "over-ipvlan", timeoutMs: 20_000 })).toBe("echo:over-ipvlan");
    await server.stop();
  });

  it("loads nftables expressions on demand (autoload through busybox modprobe)", async () => {
    const ns = await env().netns("n");
    const table = `${env().prefix}t`;
    await ok(ns, ["nft", "add", "table", "inet", table]);
    await ok(ns, ["nft", "add", "chain", "inet", table, "c", "{ type nat hook postrouting priority 100 ; }"]);
    await ok(ns, ["nft", "add", "rule", "inet", table, "c", "ip", "saddr", "10.0.0.0/8", "ct", "state", "new", "masquerade"]);
    expect(await ok(ns, ["nft", "list", "table", "inet", table])).toMatch(/masquerade/);
  });
});
