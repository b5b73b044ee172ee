import { describe, expect, it } from "vitest";
import { isNetdError } from "@netd/driverapi";
import { apiHarness } from "../../test-support/api-harness.js";
import { createApiServer } from "../server.js";
import { EventBus } from "../events.js";
import { Metrics } from "../metrics.js";
import { checkHostAddresses } from "./host-address.js";
import type { HostView } from "./host-view.js";
import { contains, overlaps, parsePrefix } from "./prefix.js";
import { checkHostRoutes, checkReserved, freeDefaultSubnet } from "./subnet-guard.js";

const host = (routes: Array<{ to: string; dev?: string; onLink: boolean }>, addresses: string[] = []): HostView => ({ routes: () => Promise.resolve(routes), addresses: () => Promise.resolve(addresses) });
const codeOf = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    return isNetdError(e) ? `${e.code} ${e.category}: ${e.message}` : String(e);
  }
  return "ok";
};

describe("host input checks", () => {
  it("compares prefixes of both families", () => {
    const p = (s: string) => parsePrefix(s)!;
    expect(overlaps(p("10.0.0.0/8"), p("10.1.2.0/24"))).toBe(true);
    expect(overlaps(p("10.0.0.0/24"), p("10.0.1.0/24"))).toBe(false);
    expect(overlaps(p("fd00::/64"), p("fd00::1"))).toBe(true);
    expect(overlaps(p("fd00::/64"), p("fd00:0:0:1::/64"))).toBe(false);
    expect(overlaps(p("10.0.0.0/8"), p("fd00::/8"))).toBe(false);
    expect(contains(p("172.17.0.0/16"), p("172.17.0.5/32"))).toBe(true);
    expect(contains(p("172.17.0.5/32"), p("172.17.0.0/16"))).toBe(false);
    expect(parsePrefix("10.0.0.0/33")).toBeNull();
    expect(parsePrefix("nonsense")).toBeNull();
  });

  it("refuses reserved ranges, naming the range", async () => {
    expect(await codeOf(() => checkReserved("127.0.0.0/24"))).toMatch(/^SUBNET_RESERVED invalid: subnet 127\.0\.0\.0\/24 overlaps loopback \(127\.0\.0\.0\/8\)/);
    expect(await codeOf(() => checkReserved("224.0.0.0/24"))).toMatch(/multicast \(224\.0\.0\.0\/4\)/);
    expect(await codeOf(() => checkReserved("0.0.0.0/0"))).toMatch(/SUBNET_RESERVED/);
    expect(await codeOf(() => checkReserved("ff02::/64"))).toMatch(/multicast \(ff00::\/8\)/);
    expect(await codeOf(() => checkReserved("fe80::/64"))).toMatch(/link-local/);
    expect(await codeOf(() => checkReserved("10.0.0.0/24"))).toBe("ok");
    expect(await codeOf(() => checkReserved("fd00::/64"))).toBe("ok");
  });

  it("refuses on-link host routes, warns for routes through a gateway, ignores netd's own", async () => {
    const h = host([{ to: "192.0.2.0/24", dev: "eth0", onLink: true }, { to: "10.8.0.0/16", onLink: false }, { to: "172.17.0.0/16", dev: "netd0", onLink: true }]);
    expect(await codeOf(checkHostRoutes(["192.0.2.128/25"], [], h))).toMatch(/^SUBNET_OVERLAPS_HOST_ROUTE conflict: subnet 192\.0\.2\.128\/25 overlaps the host's route to 192\.0\.2\.0\/24 \(dev eth0\)/);
    expect(await checkHostRoutes(["10.8.1.0/24"], [], h)).toEqual(["subnet 10.8.1.0/24 overlaps the host's route to 10.8.0.0/16; that traffic now goes to the network"]);
    // 172.17.0.0/16 is the route of netd's own network: another subnet overlapping it is IPAM's business.
    expect(await checkHostRoutes(["172.17.1.0/24", "10.9.0.0/24"], ["172.17.0.0/16"], h)).toEqual([]);
  });

  it("picks the first default pool no host route or network uses", async () => {
    expect(await freeDefaultSubnet([], host([]))).toBe("172.17.0.0/16");
    expect(await freeDefaultSubnet(["172.18.0.0/16"], host([{ to: "172.16.0.0/15", onLink: true }]))).toBe("172.19.0.0/16");
    expect(await freeDefaultSubnet([], host([{ to: "172.16.0.0/12", onLink: false }]))).toBe("192.168.0.0/20");
  });

  it("refuses a port binding on an address the host does not have, once, and accepts its own, loopback and unspecified", async () => {
    const h = host([], ["192.0.2.1", "2001:db8::1"]);
    const b = (hostIp: string | null) => ({ protocol: "tcp" as const, containerPort: 80, hostIp, hostPortStart: 8000, hostPortEnd: 8000 });
    for (const ok of [null, "0.0.0.0", "::", "192.0.2.1", "2001:db8:0::1", "127.0.0.1", "::1"]) expect(await codeOf(checkHostAddresses([b(ok)], h)), String(ok)).toBe("ok");
    const msg = await codeOf(checkHostAddresses([b("1.2.3.4")], h));
    expect(msg).toBe("INVALID_ARGUMENT invalid: cannot publish port 80/tcp on 1.2.3.4: the host has no such address; use one of the host's addresses (192.0.2.1, 2001:db8::1), or none for all of them");
  });

  it("answers 4xx through the API (the checks run before anything is created)", async () => {
    const h = await apiHarness();
    const app = await createApiServer({ controller: h.controller, events: new EventBus(), metrics: new Metrics(), host: host([{ to: "192.0.2.0/24", dev: "eth0", onLink: true }], ["192.0.2.1"]) });
    try {
      const net = await app.inject({ method: "POST", url: "/networks/create", payload: { Name: "n", IPAM: { Config: [{ Subnet: "192.0.2.0/26" }] } } });
      expect(net.statusCode).toBe(409);
      expect(JSON.parse(net.body)).toMatchObject({ code: "SUBNET_OVERLAPS_HOST_ROUTE" });
      const lo = await app.inject({ method: "POST", url: "/networks/create", payload: { Name: "n", IPAM: { Config: [{ Subnet: "127.1.0.0/16" }] } } });
      expect(lo.statusCode).toBe(400);
      const sb = await app.inject({ method: "POST", url: "/sandboxes", payload: { Name: "s", PortBindings: { "80/tcp": [{ HostIp: "1.2.3.4", HostPort: "8000" }] } } });
      expect(sb.statusCode).toBe(400);
      expect(h.controller.listNetworks()).toEqual([]);
      expect(h.controller.listSandboxes()).toEqual([]);
    } finally {
      await app.close();
      await h.close();
    }
  });
});
