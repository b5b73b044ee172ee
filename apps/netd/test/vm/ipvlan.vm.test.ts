// The netd daemon inside the qemu guest (Debian's kernel: ipvlan, dummy, 8021q), driven
// through its HTTP API: an ipvlan L2 network on a dummy parent where two sandboxes ping each
// other, an L3 network giving the device default route, TestMixL3IPVlanAndBridge across a
// restart, and TestGatewaySelection's ipvlan step.
//
// Cost: under software emulation one daemon start takes about a minute (measured 57-83 s in
// the guest on the loaded 2-core host, against 2-3 s natively), and every CLI call is a node
// start of 6-20 s. So the tests share ONE daemon, talk HTTP instead of running the CLI, and
// restart it once (where the restart matters: while the ipvlan endpoint holds the gateway).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, requireRoot, type TestEnv, type TestNetns } from "@netd/testing";
import { HOST4, HOST6, makeNetdWorld, type NetdWorld, type SandboxJson } from "../support/netd-world.js";

const TIMEOUT = 420_000;

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

/** The daemon's HTTP API, failing the test with the body on an unexpected status. */
function api(w: NetdWorld) {
  const call = async (method: string, path: string, body: unknown, want: number) => {
    const r = await w.http(method, path, body);
    expect(r.status, `${method} ${path}: ${r.text}`).toBe(want);
    return r.body;
  };
  return {
    network: (name: string, o: { driver?: string; subnets: Array<{ Subnet: string; Gateway?: string }>; options?: Record<string, string>; ipv4?: boolean; ipv6?: boolean }) =>
      call("POST", "/networks/create", { Name: name, Driver: o.driver ?? "bridge", EnableIPv4: o.ipv4 ?? true, EnableIPv6: o.ipv6 ?? false, IPAM: { Driver: "default", Config: o.subnets }, Options: o.options ?? {} }, 201),
    sandbox: (name: string, ns: TestNetns, networks: string[], ports: Record<string, Array<{ HostIp: string; HostPort: string }>> = {}) =>
      call("POST", "/sandboxes", { Name: name, Netns: ns.path, Networks: Object.fromEntries(networks.map((n) => [n, {}])), PortBindings: ports }, 201),
    connect: (network: string, sandbox: string, gwPriority = 0) => call("POST", `/networks/${network}/connect`, { Container: sandbox, EndpointConfig: { GwPriority: gwPriority } }, 200),
    disconnect: (network: string, sandbox: string) => call("POST", `/networks/${network}/disconnect`, { Container: sandbox, Force: false }, 200),
    inspect: async (sandbox: string) => (await call("GET", `/sandboxes/${sandbox}`, undefined, 200)) as SandboxJson,
    rmSandbox: (sandbox: string) => call("DELETE", `/sandboxes/${sandbox}`, undefined, 200),
    rmNetwork: (network: string) => call("DELETE", `/networks/${network}`, undefined, 204),
  };
}

describe("netd with ipvlan networks on a real kernel (guest)", () => {
  let env: TestEnv;
  let w: NetdWorld;
  let netd: ReturnType<typeof api>;
  beforeAll(async () => {
    requireRoot();
    env = await createTestEnv("ipvlan-netd-vm");
    w = await makeNetdWorld(env);
    for (const d of ["dm0", "dm1", "dm2", "dm3"]) await dummy(w.host, d);
    await w.start(["--default-bridge=false"]);
    netd = api(w);
  }, TIMEOUT);
  afterAll(async () => {
    // Both always run; the daemon is one of the env's processes.
    const failures: string[] = [];
    await env.cleanup().catch((e: unknown) => failures.push(String(e)));
    await env.assertNoLeftovers().catch((e: unknown) => failures.push(String(e)));
    w.dispose();
    if (failures.length > 0) throw new Error(failures.join("\n"));
  }, TIMEOUT);

  it("L2 on a dummy parent: two sandboxes ping; L3: the device default route; a shared parent is a 409; deleting leaves the parents", async () => {
    await netd.network("l2net", { driver: "ipvlan", options: { parent: "dm0" }, subnets: [{ Subnet: "10.90.0.0/24" }] });
    const a = await env.netns("a");
    const b = await env.netns("b");
    await netd.sandbox("a", a, ["l2net"]);
    await netd.sandbox("b", b, ["l2net"]);
    const ipB = (await netd.inspect("b")).Networks["l2net"]!.IPAddress.split("/")[0]!;
    expect(ipB).toMatch(/^10\.90\.0\.\d+$/);
    await ok(a, ["ping", "-c", "1", "-W", "5", ipB]);
    // No gateway given: the endpoint counts as external (forceGateway) but has no default route.
    expect(await route(a, 4)).toBe("");

    await netd.network("l3net", { driver: "ipvlan", options: { parent: "dm1", ipvlan_mode: "l3" }, subnets: [{ Subnet: "10.91.0.0/24" }] });
    const c = await env.netns("c");
    await netd.sandbox("c", c, ["l3net"]);
    expect(await route(c, 4)).toBe("default dev eth0 scope link");

    // A custom MAC is refused with the reference's message; the sandbox keeps what it had.
    const mac = await w.http("POST", "/networks/l3net/connect", { Container: "a", EndpointConfig: { MacAddress: "02:42:ac:11:00:99" } });
    expect(mac.status, mac.text).toBe(400);
    expect(mac.text).toContain("ipvlan interfaces do not support custom mac address assignment");
    expect(Object.keys((await netd.inspect("a")).Networks)).toEqual(["l2net"]);
    expect(((await a.ipJson(["link"])) as Array<{ ifname: string }>).map((l) => l.ifname).sort()).toEqual(["eth0", "lo"]);

    const clash = await w.http("POST", "/networks/create", { Name: "clash", Driver: "ipvlan", Options: { parent: "dm0" } });
    expect(clash.status).toBe(409);
    expect(clash.text).toContain("is already using parent interface 'dm0'");

    for (const s of ["a", "b", "c"]) await netd.rmSandbox(s);
    for (const n of ["l2net", "l3net"]) await netd.rmNetwork(n);
    const links = ((await w.host.ipJson(["link"])) as Array<{ ifname: string }>).map((l) => l.ifname).sort();
    expect(links).toEqual(["dm0", "dm1", "dm2", "dm3", "lo", "up0"]);
  }, TIMEOUT);

  it("TestMixL3IPVlanAndBridge: the default route moves between the bridge and the L3 ipvlan, also across a restart", async () => {
    await netd.network("br46", { ipv6: true, subnets: [{ Subnet: "10.92.0.0/24" }, { Subnet: "fd00:92::/64" }] });
    await netd.network("br6", { ipv4: false, ipv6: true, subnets: [{ Subnet: "fd00:93::/64" }] });
    await netd.network("ipv3", { driver: "ipvlan", options: { parent: "dm2", ipvlan_mode: "l3" }, ipv6: true, subnets: [{ Subnet: "10.94.0.0/24" }, { Subnet: "fd00:94::/64" }] });
    const s = await env.netns("s");
    await netd.sandbox("s", s, ["br6", "ipv3"]);
    await netd.connect("br46", "s", 1);
    const viaBridge: [RegExp, RegExp] = [/^default via 10\.92\.0\.1 dev eth\d+\s*$/, /^default via fd00:92::1 dev eth\d+ /];
    const viaIpvlan: [RegExp, RegExp] = [/^default dev eth\d+ scope link$/, /^default dev eth\d+ metric/];
    const noV4: [RegExp, RegExp] = [/^$/, /^default via fd00:93::1 dev eth\d+ /];
    const expectRoutes = async (what: string, [v4, v6]: [RegExp, RegExp]) => {
      expect(await route(s, 4), what).toMatch(v4);
      expect(await route(s, 6), what).toMatch(v6);
    };
    for (const restart of [false, true]) {
      await expectRoutes(`start (pass with restart: ${restart})`, viaBridge);
      await netd.disconnect("br46", "s");
      await expectRoutes(`bridge gone (restart: ${restart})`, viaIpvlan);
      if (restart) {
        // The ipvlan driver installed these routes; a new daemon must find them and remove them.
        await w.daemon!.stop();
        await w.start(["--default-bridge=false"]);
        await expectRoutes("bridge gone, after the restart", viaIpvlan);
      }
      await netd.disconnect("ipv3", "s");
      await expectRoutes(`ipvlan gone (restart: ${restart})`, noV4);
      await netd.connect("ipv3", "s");
      await netd.connect("br46", "s", 1);
      await expectRoutes(`bridge back (restart: ${restart})`, viaBridge);
    }
    await netd.rmSandbox("s");
    for (const n of ["br46", "br6", "ipv3"]) await netd.rmNetwork(n);
  }, TIMEOUT);

  it("TestGatewaySelection's ipvlan step: an ipvlan IPv6 gateway makes an IPv4-only bridge drop its 6-to-4 binding, which comes back on the same port", async () => {
    await netd.network("br4", { subnets: [{ Subnet: "10.95.0.0/24" }] });
    await netd.network("ipv6only", { driver: "ipvlan", options: { parent: "dm3", ipvlan_mode: "l3" }, ipv4: false, ipv6: true, subnets: [{ Subnet: "fd00:96::/64" }] });
    const s = await env.netns("g");
    await netd.sandbox("g", s, ["br4"], { "80/tcp": [{ HostIp: "", HostPort: "" }] });
    await env.startEchoServer(s, { proto: "tcp", address: "0.0.0.0", port: 80 });
    const bound = (sb: SandboxJson) => (sb.Ports["80/tcp"] ?? []).map((p) => `${p.HostIp}:${p.HostPort}`).sort();
    const before = bound(await netd.inspect("g"));
    const port = before[0]!.split(":").at(-1)!;
    expect(before).toEqual([`0.0.0.0:${port}`, `:::${port}`]);
    await netd.connect("ipv6only", "g");
    expect(bound(await netd.inspect("g"))).toEqual([`0.0.0.0:${port}`]);
    expect(await route(s, 6)).toMatch(/^default dev eth1 metric/);
    // Real packets from the remote namespace: IPv6 to the host port no longer reaches the
    // sandbox, IPv4 still does; after the ipvlan endpoint leaves, IPv6 reaches it again.
    const reach = (address: string) => env.canReach(w.remote, { proto: "tcp", address, port: Number(port), timeoutMs: 10_000 });
    expect(await reach(HOST4)).toBe(true);
    expect(await reach(HOST6)).toBe(false);
    await netd.disconnect("ipv6only", "g");
    expect(bound(await netd.inspect("g"))).toEqual(before);
    expect(await reach(HOST6)).toBe(true);
    await netd.rmSandbox("g");
    for (const n of ["br4", "ipv6only"]) await netd.rmNetwork(n);
  }, TIMEOUT);
});
