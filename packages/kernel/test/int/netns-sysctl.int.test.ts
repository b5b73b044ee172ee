// netns.* and sysctl.*: namespaces visible to `ip netns`, sysctls read through `cat`
// inside the namespace, and refusals before any syscall.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { expectNetdError, useKernel } from "./helpers.js";

describe("netns and sysctl", () => {
  const env = useTestEnv("kern-ns");
  const kernel = useKernel();

  it("netns.create makes an `ip netns` namespace with lo up; delete removes it idempotently", async () => {
    const k = kernel();
    const name = `${env().prefix}-made`;
    env().adoptNetns(name);
    const path = await k.netns.create(name);
    expect(path).toBe(`/run/netns/${name}`);
    expect(await k.netns.exists(path)).toBe(true);
    const lo = await k.links.get(path, "lo");
    expect(lo?.up).toBe(true);
    const r = await env().netns("probe");
    const listed = await r.exec(["ip", "netns", "list"]);
    expect(listed.stdout).toContain(name);
    // netns.list (restore's orphan sweep) names what `ip netns list` names.
    const mine = await k.netns.list();
    expect(mine).toContain(name);
    expect(mine).toEqual([...mine].sort());
    const oracle = await r.exec(["ip", "-n", name, "-j", "link", "show", "lo"]);
    expect((JSON.parse(oracle.stdout) as { flags: string[] }[])[0]!.flags).toContain("UP");
    await expectNetdError(k.netns.create(name), "NETNS_EXISTS", "conflict");
    await k.netns.delete(name);
    expect(existsSync(path)).toBe(false);
    expect(await k.netns.exists(path)).toBe(false);
    expect(await k.netns.list()).not.toContain(name);
    await k.netns.delete(path);
    // The cached socket was released: the path is unknown again.
    await expectNetdError(k.links.list(path), "NETNS_NOT_FOUND", "not_found");
  });

  it("netns.exists tells namespaces from other files", async () => {
    const ns = await env().netns("a");
    const k = kernel();
    expect(await k.netns.exists(ns.path)).toBe(true);
    expect(await k.netns.exists("/proc/self/ns/net")).toBe(true);
    expect(await k.netns.exists("/proc/self/ns/uts")).toBe(false);
    expect(await k.netns.exists("/etc/hostname")).toBe(false);
    expect(await k.netns.exists(`/run/netns/${env().prefix}-none`)).toBe(false);
  });

  it("rejects bad namespace names and paths before any syscall", async () => {
    const k = kernel();
    for (const bad of ["", ".", "..", "a/b", "a b", "x".repeat(300)]) {
      await expectNetdError(k.netns.create(bad), "INVALID_NETNS", "invalid");
    }
    // Outside /run/netns, delete only releases cached resources; the namespace stays.
    const own = `/proc/${process.pid}/ns/net`;
    await k.links.list(own);
    await k.netns.delete(own);
    expect(await k.netns.exists(own)).toBe(true);
    await expectNetdError(k.netns.delete("/run/netns/../etc"), "INVALID_NETNS", "invalid");
    await expectNetdError(k.netns.exists("relative"), "INVALID_NETNS", "invalid");
    expect(existsSync("/run/netns/a b")).toBe(false);
  });

  it("sysctl.get/set act inside the namespace only (dotted and slash keys)", async () => {
    const ns = await env().netns("s");
    const k = kernel();
    const hostBefore = await k.sysctl.get("/proc/self/ns/net", "net.ipv4.ip_forward");
    expect(await k.sysctl.get(ns.path, "net.ipv4.ip_forward")).toBe("0");
    await k.sysctl.set(ns.path, "net.ipv4.ip_forward", "1");
    await k.sysctl.set(ns.path, "net/ipv6/conf/all/forwarding", "1");
    expect((await ns.exec(["cat", "/proc/sys/net/ipv4/ip_forward"])).stdout.trim()).toBe("1");
    expect((await ns.exec(["cat", "/proc/sys/net/ipv6/conf/all/forwarding"])).stdout.trim()).toBe("1");
    expect(await k.sysctl.get(ns.path, "net/ipv6/conf/all/forwarding")).toBe("1");
    expect(await k.sysctl.get("/proc/self/ns/net", "net.ipv4.ip_forward")).toBe(hostBefore);
    await k.links.addBridge(ns.path, { name: "br0" });
    await k.sysctl.set(ns.path, "net.ipv4.conf.br0.route_localnet", "1");
    expect((await ns.exec(["cat", "/proc/sys/net/ipv4/conf/br0/route_localnet"])).stdout.trim()).toBe("1");
    await expectNetdError(k.sysctl.get(ns.path, "net.ipv4.conf.nodev0.forwarding"), "SYSCTL_NOT_FOUND", "not_found");
  });

  it("sysctl refuses keys outside net.*, traversal and bad values before any syscall", async () => {
    const ns = await env().netns("s");
    const k = kernel();
    for (const key of ["kernel.hostname", "net/../kernel/hostname", "net..ipv4", "", "net", "net.ipv4.ip_forward;x", "net/ipv4/conf/a b/x"]) {
      await expectNetdError(k.sysctl.set(ns.path, key, "1"), "INVALID_SYSCTL_KEY", "invalid");
    }
    await expectNetdError(k.sysctl.set(ns.path, "net.ipv4.ip_forward", "1\n0"), "INVALID_SYSCTL_KEY", "invalid");
    await expectNetdError(k.sysctl.get(`/run/netns/${env().prefix}-none`, "net.ipv4.ip_forward"), "NETNS_NOT_FOUND", "not_found");
    expect((await ns.exec(["cat", "/proc/sys/net/ipv4/ip_forward"])).stdout.trim()).toBe("0");
  });
});
