// `-d ipvlan` through the daemon on this machine's kernel. The kernel's own answer to
// `ip link add … type ipvlan|dummy` (in a scratch namespace) is the oracle: the CI and
// development kernels have neither, so creating an ipvlan network must fail with a 400 naming
// the missing module and leave no link, no network and no state behind. Where the kernel has
// the feature, the network is created and removed instead. Real packets: test/vm (guest).
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv, type TestNetns } from "@netd/testing";
import { makeNetdWorld, type NetdWorld } from "../support/netd-world.js";

const links = async (ns: TestNetns) => ((await ns.ipJson(["link"])) as Array<{ ifname: string }>).map((l) => l.ifname).sort();

async function supports(ns: TestNetns, argv: string[]): Promise<boolean> {
  const r = await ns.exec(["ip", "link", "add", ...argv]);
  await ns.exec(["ip", "link", "del", "probe0"]);
  return r.code === 0;
}

describe("netd: ipvlan networks on this machine's kernel", () => {
  const env = useTestEnv("ipvlan-netd");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });

  it("a kernel without ipvlan or dummy refuses the network with a 400 naming the module, leaving nothing behind; bad input is a 4xx naming the value", async () => {
    const w = (world = await makeNetdWorld(env()));
    const hasIpvlan = await supports(w.remote, ["link", "eth0", "name", "probe0", "type", "ipvlan"]);
    const hasDummy = await supports(w.remote, ["probe0", "type", "dummy"]);
    await w.start();
    const before = await links(w.host);
    const cases = [
      { name: "withparent", options: { parent: "up0" }, has: hasIpvlan, missing: "this kernel has no ipvlan driver (CONFIG_IPVLAN, module ipvlan)" },
      { name: "noparent", options: {}, has: hasIpvlan && hasDummy, missing: hasDummy ? "no ipvlan driver" : "this kernel has no dummy (needed for an ipvlan network without a parent) driver (CONFIG_DUMMY, module dummy)" },
    ];
    for (const c of cases) {
      const r = await w.http("POST", "/networks/create", { Name: c.name, Driver: "ipvlan", Options: c.options, IPAM: { Config: [{ Subnet: "10.97.0.0/24" }] } });
      if (c.has) {
        expect(r.status, r.text).toBe(201);
        await w.ok(["network", "rm", c.name]);
      } else {
        expect(r.status, r.text).toBe(400);
        expect(r.text).toContain(`cannot create ipvlan network '${c.name}'`);
        expect(r.text).toContain(c.missing);
      }
      expect(await links(w.host)).toEqual(before);
      expect(await w.ok(["network", "ls", "-q", "--filter", `name=${c.name}`])).toBe("");
    }
    // Bad input is a 4xx naming the value whatever the kernel has.
    const bad = await w.http("POST", "/networks/create", { Name: "bad", Driver: "ipvlan", Options: { parent: "up0", ipvlan_mode: "l7" } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("option ipvlan_mode has invalid value 'l7'; use one of l2, l3, l3s");
    const refusals: Array<[Record<string, string>, number, string]> = [
      [{ parent: "up0", ipvlan_flag: "loose" }, 400, "option ipvlan_flag has invalid value 'loose'; use one of bridge, private, vepa"],
      [{ parent: "nope0" }, 400, "parent interface 'nope0' does not exist in the host namespace"],
      [{ parent: "nope0.10" }, 400, "parent interface 'nope0.10' does not exist in the host namespace, and its base 'nope0' does not exist either"],
      [{ parent: "a/b" }, 400, "option parent has invalid value 'a/b'"],
      [{ parent: "lo" }, 403, "parent 'lo' is the loopback device and cannot carry ipvlan networks"],
      [{ parent: "lo.10" }, 403, "parent 'lo' (the base of 'lo.10') is the loopback device"],
      [{ parent: "up0", macvlan_mode: "bridge" }, 400, "ipvlan networks have no option 'macvlan_mode'"],
    ];
    for (const [options, status, message] of refusals) {
      const r = await w.http("POST", "/networks/create", { Name: "bad", Driver: "ipvlan", Options: options });
      expect(r.status, r.text).toBe(status);
      expect(r.text).toContain(message);
    }
    expect(await w.ok(["network", "ls", "-q", "--filter", "name=bad"])).toBe("");
    expect(await links(w.host)).toEqual(before);
  });
});
