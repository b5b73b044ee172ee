// The netd daemon inside the qemu guest (Debian's kernel: ipvlan, dummy, 8021q), driven
// through its CLI/HTTP API like the int tests: an ipvlan L2 network on a dummy parent where
// two sandboxes ping each other, an L3 network giving the device default route,
// TestMixL3IPVlanAndBridge across a restart, and TestGatewaySelection's ipvlan step.
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv, type TestNetns } from "@netd/testing";
import { makeNetdWorld, type NetdWorld, type SandboxJson } from "../support/netd-world.js";

async function ok(ns: TestNetns, argv: string[]): Promise<string> {
  const r = await ns.exec(argv);
  expect(r.code, `${argv.join(" ")} in ${ns.name}: ${r.stderr}`).toBe(0);
  return r.stdout;
}
async function dummy(ns: TestNetns, name: string): Promise<void> {
  await ok(ns, ["ip", "link", "add", name, "type", "dummy"]);
  await ok(ns, ["ip", "link", "set", name, "up"]);
}
const route = async (ns: TestNetns, family: 4 | 6) => (await ok(ns, ["ip", `-${family}`, "route", "show", "default"])).trim();

describe("netd with ipvlan networks on a real kernel (guest)", () => {
  const env = useTestEnv("ipvlan-netd-vm");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });
  async function inspect(w: NetdWorld, name: string): Promise<SandboxJson> {
    return (JSON.parse(await w.ok(["sandbox", "inspect", name])) as SandboxJson[])[0]!;
  }

  it("L2 on a dummy parent: two sandboxes ping; L3: the device default route; deleting leaves the parent", async () => {
    const w = (world = await makeNetdWorld(env()));
    await dummy(w.host, "dm0");
    await dummy(w.host, "dm1");
    await w.start();
    await w.ok(["network", "create", "-d", "ipvlan", "-o", "parent=dm0", "--subnet", "10.90.0.0/24", "l2net"]);
    const a = await env().netns("a");
    const b = await env().netns("b");
    await w.ok(["sandbox", "create", "--name", "a", "--netns", a.path, "--network", "l2net"]);
    await w.ok(["sandbox", "create", "--name", "b", "--netns", b.path, "--network", "l2net"]);
    const ipB = (await inspect(w, "b")).Networks["l2net"]!.IPAddress.split("/")[0]!;
    expect(ipB).toMatch(/^10\.90\.0\.\d+$/);
    await ok(a, ["ping", "-c", "1", "-W", "5", ipB]);
    expect(await route(a, 4)).toBe("");

    await w.ok(["network", "create", "-d", "ipvlan", "-o", "parent=dm1", "-o", "ipvlan_mode=l3", "--subnet", "10.91.0.0/24", "l3net"]);
    const c = await env().netns("c");
    await w.ok(["sandbox", "create", "--name", "c", "--netns", c.path, "--network", "l3net"]);
    expect(await route(c, 4)).toBe("default dev eth0 scope link");

    // A second network on dm0 is a 409 naming the parent.
    const clash = await w.http("POST", "/networks/create", { Name: "clash", Driver: "ipvlan", Options: { parent: "dm0" } });
    expect(clash.status).toBe(409);
    expect(clash.text).toContain("is already using parent interface 'dm0'");

    await w.ok(["sandbox", "rm", "a", "b", "c"]);
    await w.ok(["network", "rm", "l2net", "l3net"]);
    const links = ((await w.host.ipJson(["link"])) as Array<{ ifname: string }>).map((l) => l.ifname).sort();
    expect(links).toEqual(["dm0", "dm1", "lo", "up0"]);
  });

  it("TestMixL3IPVlanAndBridge: the default route moves between the bridge and the L3 ipvlan, also across a restart", async () => {
    const w = (world = await makeNetdWorld(env()));
    await dummy(w.host, "dm2");
    await w.start();
    await w.ok(["network", "create", "--ipv6", "--subnet", "10.92.0.0/24", "--subnet", "fd00:92::/64", "br46"]);
    await w.ok(["network", "create", "--ipv6", "--no-ipv4", "--subnet", "fd00:93::/64", "br6"]);
    await w.ok(["network", "create", "-d", "ipvlan", "-o", "parent=dm2", "-o", "ipvlan_mode=l3", "--ipv6", "--subnet", "10.94.0.0/24", "--subnet", "fd00:94::/64", "ipv3"]);
    const s = await env().netns("s");
    await w.ok(["sandbox", "create", "--name", "s", "--netns", s.path, "--network", "br6", "--network", "ipv3"]);
    await w.ok(["network", "connect", "--gw-priority", "1", "br46", "s"]);
    for (const restart of [false, true]) {
      const step = async (what: string, v4: RegExp, v6: RegExp) => {
        expect(await route(s, 4), `${what} (restart ${restart})`).toMatch(v4);
        expect(await route(s, 6), `${what} (restart ${restart})`).toMatch(v6);
        if (restart) {
          await w.daemon!.stop();
          await w.start();
          expect(await route(s, 4), `${what} after restart`).toMatch(v4);
          expect(await route(s, 6), `${what} after restart`).toMatch(v6);
        }
      };
      await step("start", /^default via 10\.92\.0\.1 dev eth\d+\s*$/, /^default via fd00:92::1 dev eth\d+ /);
      await w.ok(["network", "disconnect", "br46", "s"]);
      await step("bridge gone", /^default dev eth\d+ scope link$/, /^default dev eth\d+ metric/);
      await w.ok(["network", "disconnect", "ipv3", "s"]);
      await step("ipvlan gone", /^$/, /^default via fd00:93::1 dev eth\d+ /);
      await w.ok(["network", "connect", "ipv3", "s"]);
      await w.ok(["network", "connect", "--gw-priority", "1", "br46", "s"]);
      await step("bridge back", /^default via 10\.92\.0\.1 dev eth\d+\s*$/, /^default via fd00:92::1 dev eth\d+ /);
    }
    await w.ok(["sandbox", "rm", "s"]);
    await w.ok(["network", "rm", "br46", "br6", "ipv3"]);
  });

  it("TestGatewaySelection's ipvlan step: an ipvlan IPv6 gateway makes an IPv4-only bridge drop its 6-to-4 binding, which comes back on the same port", async () => {
    const w = (world = await makeNetdWorld(env()));
    await dummy(w.host, "dm3");
    await w.start();
    await w.ok(["network", "create", "--subnet", "10.95.0.0/24", "br4"]);
    await w.ok(["network", "create", "-d", "ipvlan", "-o", "parent=dm3", "-o", "ipvlan_mode=l3", "--ipv6", "--no-ipv4", "--subnet", "fd00:96::/64", "ipv6only"]);
    const s = await env().netns("s");
    await w.ok(["sandbox", "create", "--name", "s", "--netns", s.path, "-p", "80", "--network", "br4"]);
    const bound = (sb: SandboxJson) => (sb.Ports["80/tcp"] ?? []).map((p) => `${p.HostIp}:${p.HostPort}`).sort();
    const before = bound(await inspect(w, "s"));
    const port = before[0]!.split(":").at(-1)!;
    expect(before).toEqual([`0.0.0.0:${port}`, `:::${port}`]);
    await w.ok(["network", "connect", "ipv6only", "s"]);
    expect(bound(await inspect(w, "s"))).toEqual([`0.0.0.0:${port}`]);
    expect(await route(s, 6)).toMatch(/^default dev eth1 metric/);
    await w.ok(["network", "disconnect", "ipv6only", "s"]);
    expect(bound(await inspect(w, "s"))).toEqual(before);
    await w.ok(["sandbox", "rm", "s"]);
    await w.ok(["network", "rm", "br4", "ipv6only"]);
  });
});
