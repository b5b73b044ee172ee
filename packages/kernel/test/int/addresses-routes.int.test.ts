// addresses.* and routes.*, read back with `ip -j`, plus real packets: a container attached
// to a bridge in the "host" namespace reaches an echo server there.
import { describe, expect, it } from "vitest";
import { useTestEnv, type TestNetns } from "@netd/testing";
import { attach, expectNetdError, ipAddrs, useKernel } from "./helpers.js";

interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  table?: string;
}

async function ipRoutes(ns: TestNetns, family: 4 | 6, table = "main"): Promise<IpRoute[]> {
  return (await ns.ipJson([`-${family}`, "route", "show", "table", table])) as IpRoute[];
}

describe("addresses and routes", () => {
  const env = useTestEnv("kern-addr");
  const kernel = useKernel();

  it("addresses.add/list/delete for IPv4 and IPv6 (nodad)", async () => {
    const host = await env().netns("h");
    const k = kernel();
    await k.links.addBridge(host.path, { name: "br0", up: true });
    await k.addresses.add(host.path, "br0", "10.77.0.1/24");
    await k.addresses.add(host.path, "br0", "fd77::1/64", { nodad: true });
    expect((await ipAddrs(host, "br0")).sort()).toEqual(["10.77.0.1/24", "fd77::1/64"]);
    const v6 = (await host.ipJson(["-6", "addr", "show", "dev", "br0"])) as { addr_info: { local: string; nodad?: boolean; tentative?: boolean }[] }[];
    const fd77 = v6[0]!.addr_info.find((a) => a.local === "fd77::1");
    expect(fd77?.nodad).toBe(true);
    expect(fd77?.tentative).toBeUndefined();
    expect((await k.addresses.list(host.path, "br0")).sort((a, b) => a.family - b.family)).toEqual([
      { link: "br0", address: "10.77.0.1/24", family: 4 },
      { link: "br0", address: "fd77::1/64", family: 6 },
    ]);
    expect(await k.addresses.list(host.path)).toHaveLength(2);
    await expectNetdError(k.addresses.add(host.path, "br0", "10.77.0.1/24"), "ADDRESS_EXISTS", "conflict");
    await expectNetdError(k.addresses.add(host.path, "nodev", "10.77.0.9/24"), "LINK_NOT_FOUND", "not_found");
    await k.addresses.delete(host.path, "br0", "10.77.0.1/24");
    await k.addresses.delete(host.path, "br0", "10.77.0.1/24");
    await k.addresses.delete(host.path, "nodev", "10.77.0.1/24");
    expect(await ipAddrs(host, "br0")).toEqual(["fd77::1/64"]);
  });

  it("routes.add/list/delete: default via gateway, device route, static route with metric and table", async () => {
    const host = await env().netns("h");
    const ctr = await env().netns("c");
    const k = kernel();
    await attach(k, host, ctr);
    await k.routes.add(ctr.path, { to: "10.88.0.0/16", family: 4, via: "10.77.0.1", metric: 50 });
    await k.routes.add(ctr.path, { to: "10.99.0.0/24", family: 4, dev: "eth0" });
    await k.routes.add(ctr.path, { to: "10.66.0.0/24", family: 4, via: "10.77.0.1", table: 100 });
    const v4 = await ipRoutes(ctr, 4);
    expect(v4).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dst: "default", gateway: "10.77.0.1", dev: "eth0" }),
        expect.objectContaining({ dst: "10.88.0.0/16", gateway: "10.77.0.1", metric: 50 }),
        expect.objectContaining({ dst: "10.99.0.0/24", dev: "eth0" }),
      ]),
    );
    expect(await ipRoutes(ctr, 4, "100")).toEqual([expect.objectContaining({ dst: "10.66.0.0/24", gateway: "10.77.0.1" })]);
    const listed = await k.routes.list(ctr.path, 4);
    expect(listed).toEqual(
      expect.arrayContaining([
        { to: "default", family: 4, via: "10.77.0.1", dev: "eth0" },
        { to: "10.88.0.0/16", family: 4, via: "10.77.0.1", dev: "eth0", metric: 50 },
        { to: "10.99.0.0/24", family: 4, dev: "eth0" },
        { to: "10.77.0.0/24", family: 4, dev: "eth0" },
        { to: "10.66.0.0/24", family: 4, via: "10.77.0.1", dev: "eth0", table: 100 },
      ]),
    );
    const v6 = await k.routes.list(ctr.path, 6);
    expect(v6).toEqual(expect.arrayContaining([expect.objectContaining({ to: "default", via: "fd77::1", dev: "eth0" }), expect.objectContaining({ to: "fd77::/64", dev: "eth0" })]));
    const dup = await expectNetdError(k.routes.add(ctr.path, { to: "default", family: 4, via: "10.77.0.1" }), "ROUTE_EXISTS", "conflict");
    expect(dup.message).toContain("File exists (errno 17)");
    await k.routes.delete(ctr.path, { to: "10.88.0.0/16", family: 4, via: "10.77.0.1", metric: 50 });
    await k.routes.delete(ctr.path, { to: "10.88.0.0/16", family: 4, via: "10.77.0.1", metric: 50 });
    await k.routes.delete(ctr.path, { to: "10.66.0.0/24", family: 4, via: "10.77.0.1", table: 100 });
    await k.routes.delete(ctr.path, { to: "10.55.0.0/24", family: 4, dev: "gone0" });
    expect((await ipRoutes(ctr, 4)).map((r) => r.dst)).not.toContain("10.88.0.0/16");
    expect(await ipRoutes(ctr, 4, "100")).toEqual([]);
    await expectNetdError(k.routes.add(ctr.path, { to: "10.1.0.0/16", family: 4, via: "10.200.0.1" }), "KERNEL_ERROR", "kernel");
  });

  it("carries real TCP and UDP packets, IPv4 and IPv6, from the container to the host namespace", async () => {
    const host = await env().netns("h");
    const ctr = await env().netns("c");
    await attach(kernel(), host, ctr);
    const tcp = await env().startEchoServer(host, { proto: "tcp", address: "::", port: 7070, reply: "host" });
    const udp = await env().startEchoServer(host, { proto: "udp", address: "0.0.0.0", port: 7071, reply: "host" });
    try {
      expect(await env().sendAndReceive(ctr, { proto: "tcp", address: "10.77.0.1", port: 7070, payload: "hi4" })).toBe("host:hi4");
      expect(await env().sendAndReceive(ctr, { proto: "tcp", address: "fd77::1", port: 7070, payload: "hi6" })).toBe("host:hi6");
      expect(await env().sendAndReceive(ctr, { proto: "udp", address: "10.77.0.1", port: 7071, payload: "u4" })).toBe("host:u4");
    } finally {
      await tcp.stop();
      await udp.stop();
    }
  });

  it("rejects malformed addresses and routes before any syscall", async () => {
    const host = await env().netns("h");
    const k = kernel();
    await k.links.addBridge(host.path, { name: "br0" });
    for (const bad of ["10.0.0.1", "10.0.0.300/24", "10.0.0.1/33", "fd00::1/129", "not-an-ip/8", "10.1/8", "", "fd00::1%eth0/64"]) {
      await expectNetdError(k.addresses.add(host.path, "br0", bad), "INVALID_ADDRESS", "invalid");
    }
    await expectNetdError(k.addresses.add(host.path, "bad name", "10.0.0.1/24"), "INVALID_INTERFACE_NAME", "invalid");
    await expectNetdError(k.routes.add(host.path, { to: "10.0.0.1/24", family: 4, dev: "br0" }), "INVALID_ROUTE", "invalid");
    await expectNetdError(k.routes.add(host.path, { to: "default", family: 4 }), "INVALID_ROUTE", "invalid");
    await expectNetdError(k.routes.add(host.path, { to: "default", family: 4, via: "fd00::1" }), "INVALID_ADDRESS", "invalid");
    await expectNetdError(k.routes.add(host.path, { to: "fd00::/64", family: 4, dev: "br0" }), "INVALID_ADDRESS", "invalid");
    expect(await ipAddrs(host, "br0")).toEqual([]);
    expect(await ipRoutes(host, 4)).toEqual([]);
  });
});
