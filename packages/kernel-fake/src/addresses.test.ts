import { describe, expect, it } from "vitest";
import { createFakeKernel } from "./index.js";
import { expectCode } from "./test-helpers.js";

const HOST = "/proc/self/ns/net";

describe("fake kernel: addresses", () => {
  it("adds addresses only on existing links, in canonical form", async () => {
    const k = createFakeKernel();
    await k.links.addBridge(HOST, { name: "br0" });
    await k.addresses.add(HOST, "br0", "10.0.0.1/24");
    await k.addresses.add(HOST, "br0", "fd00:0:0::1/64", { nodad: true });
    expect(await k.addresses.list(HOST)).toEqual([
      { link: "br0", address: "10.0.0.1/24", family: 4 },
      { link: "br0", address: "fd00::1/64", family: 6 },
    ]);
    await expectCode(k.addresses.add(HOST, "br1", "10.0.0.1/24"), "LINK_NOT_FOUND", "not_found");
  });

  it("refuses invalid CIDRs", async () => {
    const k = createFakeKernel();
    await k.links.addBridge(HOST, { name: "br0" });
    for (const bad of ["10.0.0.1", "10.0.0.1/33", "10.0.0/24", "fd00::1/129", "fe80::1%eth0/64", "x/8", "010.0.0.1/8", "0x0a.0.0.1/8"]) {
      await expectCode(k.addresses.add(HOST, "br0", bad), "INVALID_ADDRESS", "invalid");
    }
    expect(await k.addresses.list(HOST)).toEqual([]);
  });

  it("refuses the same address twice on a link (ADDRESS_EXISTS) but allows it on another link", async () => {
    const k = createFakeKernel();
    await k.links.addBridge(HOST, { name: "br0" });
    await k.links.addBridge(HOST, { name: "br1" });
    await k.addresses.add(HOST, "br0", "10.0.0.1/24");
    await expectCode(k.addresses.add(HOST, "br0", "10.0.0.1/16"), "ADDRESS_EXISTS", "conflict");
    await k.addresses.add(HOST, "br1", "10.0.0.1/24");
  });

  it("deletes idempotently, also for links that are gone", async () => {
    const k = createFakeKernel();
    await k.links.addBridge(HOST, { name: "br0" });
    await k.addresses.add(HOST, "br0", "fd00::1/64");
    await k.addresses.delete(HOST, "br0", "fd00:0::1/64");
    await k.addresses.delete(HOST, "br0", "fd00::1/64");
    await k.addresses.delete(HOST, "gone", "10.0.0.1/24");
    expect(await k.addresses.list(HOST)).toEqual([]);
    await expectCode(k.addresses.delete(HOST, "br0", "nope"), "INVALID_ADDRESS");
  });

  it("lists one link's addresses, omitting IPv6 link-local ones", async () => {
    const k = createFakeKernel();
    await k.links.addBridge(HOST, { name: "br0" });
    await k.links.addBridge(HOST, { name: "br1" });
    await k.addresses.add(HOST, "br0", "10.0.0.1/24");
    await k.addresses.add(HOST, "br1", "10.1.0.1/24");
    await k.addresses.add(HOST, "br1", "fe80::1/64");
    expect(await k.addresses.list(HOST, "br1")).toEqual([{ link: "br1", address: "10.1.0.1/24", family: 4 }]);
    expect(await k.addresses.list(HOST, "br2")).toEqual([]);
    await expectCode(k.addresses.list(HOST, "bad name"), "INVALID_INTERFACE_NAME");
  });
});
