import { describe, expect, it } from "vitest";
import { createFakeKernel } from "./index.js";
import { expectCode } from "./test-helpers.js";

const HOST = "/proc/self/ns/net";

describe("fake kernel: sysctl", () => {
  it("reads kernel defaults until written, per namespace, in dotted or slash form", async () => {
    const k = createFakeKernel();
    const c = await k.netns.create("c");
    expect(await k.sysctl.get(HOST, "net.ipv4.ip_forward")).toBe("0");
    expect(await k.sysctl.get(HOST, "net.ipv4.ip_local_port_range")).toBe("32768\t60999");
    expect(await k.sysctl.get(HOST, "net.ipv6.conf.all.accept_ra")).toBe("1");
    await k.sysctl.set(HOST, "net/ipv4/ip_forward", "1\n");
    expect(await k.sysctl.get(HOST, "net.ipv4.ip_forward")).toBe("1");
    expect(await k.sysctl.get(c, "net.ipv4.ip_forward")).toBe("0");
    expect(k.snapshot().namespaces[HOST]!.sysctls).toEqual({ "net.ipv4.ip_forward": "1" });
  });

  it("needs the interface of a per-interface key to exist, and forgets its keys when it goes", async () => {
    const k = createFakeKernel();
    await expectCode(k.sysctl.set(HOST, "net.ipv4.conf.br0.route_localnet", "1"), "SYSCTL_NOT_FOUND", "not_found");
    await expectCode(k.sysctl.get(HOST, "net/ipv6/conf/br0/disable_ipv6"), "SYSCTL_NOT_FOUND");
    await k.links.addBridge(HOST, { name: "br0" });
    await k.sysctl.set(HOST, "net/ipv6/conf/br0/disable_ipv6", "1");
    expect(await k.sysctl.get(HOST, "net.ipv6.conf.br0.disable_ipv6")).toBe("1");
    await k.links.delete(HOST, "br0");
    await k.links.addBridge(HOST, { name: "br0" });
    expect(await k.sysctl.get(HOST, "net.ipv6.conf.br0.disable_ipv6")).toBe("0");
  });

  it("validates keys and values", async () => {
    const k = createFakeKernel();
    for (const key of ["", "kernel.pid_max", "net", "net..ipv4", "net/ipv4/../x", "net.ipv4.ip forward"]) {
      await expectCode(k.sysctl.set(HOST, key, "1"), "INVALID_SYSCTL_KEY", "invalid");
    }
    for (const value of ["", " ", "1\n2"]) await expectCode(k.sysctl.set(HOST, "net.ipv4.ip_forward", value), "INVALID_SYSCTL_KEY");
  });
});

describe("fake kernel: conntrack", () => {
  it("deletes seeded entries matching every given field and counts them", async () => {
    const k = createFakeKernel();
    const base = { family: 4, protocol: "tcp", origSrc: "192.0.2.1", origDst: "198.51.100.1", origDstPort: 8080, replySrc: "10.0.0.2" } as const;
    k.seedConntrack(HOST, base);
    k.seedConntrack(HOST, { ...base, origDstPort: 8443 });
    k.seedConntrack(HOST, { ...base, protocol: "udp" });
    k.seedConntrack(HOST, { ...base, family: 6, origSrc: "2001:db8::1", origDst: "2001:db8:0::2", replySrc: "fd00::2" });
    expect(await k.conntrack.delete(HOST, { family: 4, protocol: "tcp", origDstPort: 8080 })).toBe(1);
    expect(await k.conntrack.delete(HOST, { family: 6, protocol: "tcp", origDst: "2001:db8:0:0::2" })).toBe(1);
    expect(await k.conntrack.delete(HOST, { family: 4, protocol: "tcp", replySrc: "10.0.0.9" })).toBe(0);
    expect(await k.conntrack.delete(HOST, { family: 4, protocol: "udp" })).toBe(1);
    expect(k.snapshot().namespaces[HOST]!.conntrack).toBe(1);
    await expectCode(k.conntrack.delete(HOST, { family: 4, protocol: "icmp" as "tcp" }), "INVALID_ADDRESS");
    await expectCode(k.conntrack.delete(HOST, { family: 4, protocol: "tcp", origDst: "x" }), "INVALID_ADDRESS");
    await expectCode(k.conntrack.delete(HOST, { family: 4, protocol: "tcp", origDstPort: 70000 }), "INVALID_ADDRESS");
  });
});
