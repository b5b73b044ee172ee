import { describe, expect, it } from "vitest";
import { createFakeKernel, type FakeKernel } from "./index.js";
import { expectCode } from "./test-helpers.js";

/** A container namespace with eth0 up, 10.0.0.2/24 and fd00::2/64. */
async function container(): Promise<{ k: FakeKernel; c: string }> {
  const k = createFakeKernel();
  const c = await k.netns.create("c");
  await k.links.addVeth(k.hostNetns, { name: "vh0", peer: { name: "eth0", netns: c } });
  await k.addresses.add(c, "eth0", "10.0.0.2/24");
  await k.addresses.add(c, "eth0", "fd00::2/64");
  await k.links.set(c, "eth0", { up: true });
  return { k, c };
}

describe("fake kernel: routes", () => {
  it("adds a default route via an on-link gateway and resolves its device", async () => {
    const { k, c } = await container();
    await k.routes.add(c, { to: "default", family: 4, via: "10.0.0.1" });
    await k.routes.add(c, { to: "::/0", family: 6, via: "fd00::1", dev: "eth0" });
    expect(await k.routes.list(c, 4)).toEqual([
      { to: "10.0.0.0/24", family: 4, dev: "eth0", metric: 0, table: 254 },
      { to: "default", family: 4, via: "10.0.0.1", dev: "eth0", metric: 0, table: 254 },
    ]);
    expect(await k.routes.list(c, 6)).toEqual([
      { to: "default", family: 6, via: "fd00::1", dev: "eth0", metric: 1024, table: 254 },
      { to: "fd00::/64", family: 6, dev: "eth0", metric: 256, table: 254 },
    ]);
    expect(k.snapshot().namespaces[c]!.routes).toHaveLength(2);
  });

  it("refuses a gateway that no address subnet or device route reaches (ROUTE_UNREACHABLE)", async () => {
    const { k, c } = await container();
    await expectCode(k.routes.add(c, { to: "default", family: 4, via: "10.9.0.1" }), "ROUTE_UNREACHABLE", "kernel");
    await expectCode(k.routes.add(c, { to: "default", family: 6, via: "fd01::1", dev: "eth0" }), "ROUTE_UNREACHABLE");
    // A /32 device route makes a gateway outside the subnet reachable (routed-style setups).
    await k.routes.add(c, { to: "169.254.1.1/32", family: 4, dev: "eth0" });
    await k.routes.add(c, { to: "default", family: 4, via: "169.254.1.1", dev: "eth0" });
    // IPv6 link-local gateways are always on-link through the named device.
    await k.routes.add(c, { to: "default", family: 6, via: "fe80::1", dev: "eth0" });
  });

  it("needs existing links, and IPv4 nexthop devices that are up", async () => {
    const { k, c } = await container();
    await expectCode(k.routes.add(c, { to: "10.5.0.0/16", family: 4, dev: "eth9" }), "LINK_NOT_FOUND");
    await k.links.set(c, "eth0", { up: false });
    await expectCode(k.routes.add(c, { to: "10.5.0.0/16", family: 4, dev: "eth0" }), "ROUTE_UNREACHABLE");
    await k.routes.add(c, { to: "fd05::/64", family: 6, dev: "eth0" });
    // A gateway is not on-link through a down link (its prefix route is gone).
    await expectCode(k.routes.add(c, { to: "default", family: 4, via: "10.0.0.1" }), "ROUTE_UNREACHABLE");
  });

  it("refuses a second route with the same table, prefix and metric (ROUTE_EXISTS)", async () => {
    const { k, c } = await container();
    await k.routes.add(c, { to: "default", family: 4, via: "10.0.0.1" });
    await expectCode(k.routes.add(c, { to: "default", family: 4, via: "10.0.0.254" }), "ROUTE_EXISTS", "conflict");
    await expectCode(k.routes.add(c, { to: "0.0.0.0/0", family: 4, dev: "eth0" }), "ROUTE_EXISTS");
    // The prefix route of 10.0.0.2/24 exists too, as in Linux.
    await expectCode(k.routes.add(c, { to: "10.0.0.0/24", family: 4, dev: "eth0" }), "ROUTE_EXISTS");
    await k.routes.add(c, { to: "default", family: 4, via: "10.0.0.254", metric: 100 });
    await k.routes.add(c, { to: "default", family: 4, via: "10.0.0.254", table: 100 });
  });

  it("validates destination, family, gateway, metric and table", async () => {
    const { k, c } = await container();
    const bad: [object, string][] = [
      [{ to: "10.0.0.1/24", family: 4, dev: "eth0" }, "INVALID_ROUTE"],
      [{ to: "10.1.0.0/16", family: 6, dev: "eth0" }, "INVALID_ADDRESS"],
      [{ to: "10.1.0.0/16", family: 4 }, "INVALID_ROUTE"],
      [{ to: "10.1.0.0/16", family: 4, via: "fd00::1" }, "INVALID_ADDRESS"],
      [{ to: "10.1.0.0/16", family: 4, via: "10.0.0.300" }, "INVALID_ADDRESS"],
      [{ to: "10.1.0.0/16", family: 4, dev: "eth0", metric: -1 }, "INVALID_ROUTE"],
      [{ to: "10.1.0.0/16", family: 4, dev: "eth0", table: 0 }, "INVALID_ROUTE"],
      [{ to: "nowhere", family: 4, dev: "eth0" }, "INVALID_ADDRESS"],
      [{ to: "default", family: 5, dev: "eth0" }, "INVALID_ROUTE"],
      [{ to: "default", family: 4, dev: "bad name" }, "INVALID_INTERFACE_NAME"],
    ];
    for (const [route, code] of bad) await expectCode(k.routes.add(c, route as never), code, "invalid");
    expect(k.snapshot().namespaces[c]!.routes).toEqual([]);
  });

  it("deletes matching routes idempotently, and routes go when their link goes", async () => {
    const { k, c } = await container();
    await k.routes.add(c, { to: "default", family: 4, via: "10.0.0.1" });
    await k.routes.add(c, { to: "10.7.0.0/16", family: 4, dev: "eth0", metric: 5 });
    await k.routes.delete(c, { to: "default", family: 4, via: "10.0.0.99" });
    expect(k.snapshot().namespaces[c]!.routes).toHaveLength(2);
    await k.routes.delete(c, { to: "default", family: 4, via: "10.0.0.1" });
    await k.routes.delete(c, { to: "default", family: 4, via: "10.0.0.1" });
    await k.routes.delete(c, { to: "10.8.0.0/16", family: 4, dev: "gone" });
    expect(k.snapshot().namespaces[c]!.routes).toEqual([{ to: "10.7.0.0/16", family: 4, dev: "eth0", metric: 5, table: 254 }]);
    await k.links.delete(c, "eth0");
    expect(await k.routes.list(c, 4)).toEqual([]);
  });
});
