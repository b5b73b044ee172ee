import type { PortAllocator } from "@netd/driverapi";
import { isNetdError } from "@netd/driverapi";
import { describe, expect, it } from "vitest";
import { createPortAllocator } from "./allocator.js";
import type { PortAllocatorOptions } from "./allocator.js";

const BEGIN = 49153;
const END = 65535;

/** A deterministic allocator: no /proc reads. */
function make(options: PortAllocatorOptions = {}) {
  return createPortAllocator({ range: { start: BEGIN, end: END }, reservedPorts: [], ...options });
}

/** Runs `fn`, expects a NetdError and returns it. */
function netdError(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isNetdError(error)) return error;
    throw error;
  }
  throw new Error("expected a NetdError, nothing was thrown");
}

describe("createPortAllocator", () => {
  it("implements the PortAllocator contract of @netd/driverapi", () => {
    const allocator: PortAllocator = make();
    expect(typeof allocator.requestPortsInRange).toBe("function");
  });

  // Ported from moby portallocator_test.go (§7, §8.5).
  it("TestRequestNewPort: the first ephemeral port is the start of the range", () => {
    expect(make().requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(BEGIN);
  });

  it("TestRequestSpecificPort / TestReuseReleasedPort", () => {
    const p = make();
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 5000, 5000)).toBe(5000);
    p.releasePort("0.0.0.0", "tcp", 5000);
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 5000, 5000)).toBe(5000);
  });

  it("TestReleaseUnreadledPort: a held specific port is PORT_ALREADY_ALLOCATED", () => {
    const p = make();
    p.requestPortsInRange(["0.0.0.0"], "tcp", 5000, 5000);
    const error = netdError(() => p.requestPortsInRange(["0.0.0.0"], "tcp", 5000, 5000));
    expect(error.code).toBe("PORT_ALREADY_ALLOCATED");
    expect(error.category).toBe("conflict");
    expect(error.message).toMatch(/^Bind for 0\.0\.0\.0:5000 failed: port is already allocated; /);
  });

  it("TestUnknowProtocol", () => {
    const error = netdError(() => make().requestPortsInRange(["0.0.0.0"], "icmp" as never, 0, 0));
    expect(error.code).toBe("UNKNOWN_PROTOCOL");
    expect(error.category).toBe("invalid");
    expect(error.message).toMatch(/^unknown protocol: icmp; /);
  });

  it("TestAllocateAllPorts: sequential, exhaustion, per-protocol, reuse after release", () => {
    const p = make();
    for (let i = 0; i <= END - BEGIN; i++) expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(BEGIN + i);
    const error = netdError(() => p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0));
    expect(error.code).toBe("PORTS_EXHAUSTED");
    expect(error.message).toMatch(/^all ports are allocated; /);
    expect(error.hint).toContain(`default range ${BEGIN}-${END}`);
    expect(error.hint).toContain("0.0.0.0");
    expect(error.details).toMatchObject({ addresses: ["0.0.0.0"], protocol: "tcp", start: BEGIN, end: END });
    // udp has its own bookkeeping.
    expect(p.requestPortsInRange(["0.0.0.0"], "udp", 0, 0)).toBe(BEGIN);
    // Release one in the middle: it is the only free port, so it comes back.
    p.releasePort("0.0.0.0", "tcp", BEGIN + 5);
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(BEGIN + 5);
    // Now the cursor sits on it; release it again and the wrap-around finds it.
    p.releasePort("0.0.0.0", "tcp", BEGIN + 5);
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(BEGIN + 5);
  });

  it("TestPortAllocation: per-address maps on specific addresses", () => {
    const p = make();
    const ip = "192.168.0.1";
    const ip2 = "192.168.0.2";
    expect(p.requestPortsInRange([ip], "tcp", 80, 80)).toBe(80);
    const port = p.requestPortsInRange([ip], "tcp", 0, 0);
    expect(port).toBeGreaterThan(0);
    expect(netdError(() => p.requestPortsInRange([ip], "tcp", port, port)).code).toBe("PORT_ALREADY_ALLOCATED");
    expect(p.requestPortsInRange([ip], "tcp", 0, 0)).not.toBe(port);
    expect(netdError(() => p.requestPortsInRange([ip], "tcp", 80, 80)).code).toBe("PORT_ALREADY_ALLOCATED");
    expect(p.requestPortsInRange([ip2], "tcp", 80, 80)).toBe(80);
    expect(netdError(() => p.requestPortsInRange([ip2], "tcp", 80, 80)).code).toBe("PORT_ALREADY_ALLOCATED");
    p.releasePort(ip, "tcp", 80);
    expect(p.requestPortsInRange([ip], "tcp", 80, 80)).toBe(80);
    const a = p.requestPortsInRange([ip], "tcp", 0, 0);
    const b = p.requestPortsInRange([ip], "tcp", a + 1, a + 1);
    expect(p.requestPortsInRange([ip], "tcp", 0, 0)).not.toBe(b);
  });

  it("TestPortAllocationWithCustomRange", () => {
    const p = make();
    const port1 = p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0);
    for (const [start, end] of [[0, 8082], [8081, 0], [8081, 8080]] as const) {
      const error = netdError(() => p.requestPortsInRange(["0.0.0.0"], "tcp", start, end));
      expect(error.code).toBe("INVALID_PORT_RANGE");
      expect(error.message).toMatch(new RegExp(`^invalid port range: ${start}-${end}; `));
    }
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 8000, 8000)).toBe(8000);
    const port2 = p.requestPortsInRange(["0.0.0.0"], "tcp", 8081, 8082);
    expect([8081, 8082]).toContain(port2);
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBeGreaterThan(port1);
    const port4 = p.requestPortsInRange(["0.0.0.0"], "tcp", 8081, 8082);
    expect([8081, 8082]).toContain(port4);
    expect(port4).not.toBe(port2);
    const error = netdError(() => p.requestPortsInRange(["0.0.0.0"], "tcp", 8081, 8082));
    expect(error.code).toBe("PORTS_EXHAUSTED");
    expect(error.hint).toContain("range 8081-8082");
  });

  it("TestNoDuplicateBPR: an explicit port at the range start is skipped by the scan", () => {
    const p = make();
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", BEGIN, BEGIN)).toBe(BEGIN);
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(BEGIN + 1);
  });

  it("TestRequestPortForMultipleIPs: one port for all addresses, released per address", () => {
    const p = make();
    const addrs = ["127.0.0.1", "::"];
    expect(p.requestPortsInRange(addrs, "tcp", 0, 0)).toBe(BEGIN);
    expect(p.requestPortsInRange(addrs, "tcp", 10000, 10000)).toBe(10000);
    expect(netdError(() => p.requestPortsInRange(addrs, "tcp", 10000, 10000)).message).toContain("port is already allocated");
    p.releasePort("127.0.0.1", "tcp", 10000);
    // Still held on "::"; the error names it in brackets.
    const error = netdError(() => p.requestPortsInRange(addrs, "tcp", 10000, 10000));
    expect(error.message).toMatch(/^Bind for \[::\]:10000 failed: port is already allocated; /);
    expect(error.details).toMatchObject({ address: "::", port: 10000, protocol: "tcp" });
    p.releasePort("::", "tcp", 10000);
    expect(p.requestPortsInRange(addrs, "tcp", 10000, 10000)).toBe(10000);
    for (let i = 20000; i < 20004; i++) expect(p.requestPortsInRange(addrs, "tcp", 20000, 20004)).toBe(i);
  });

  it("TestMixUnspecAndSpecificAddrs: 127.0.0.1 takes P, then 0.0.0.0 gets P+1", () => {
    const p = make();
    expect(p.requestPortsInRange(["127.0.0.1"], "udp", 0, 0)).toBe(BEGIN);
    expect(p.requestPortsInRange(["0.0.0.0"], "udp", 0, 0)).toBe(BEGIN + 1);
  });

  it("TestRequestNewPortSkipsReservedPorts", () => {
    const p = make({ reservedPorts: [BEGIN, BEGIN + 1] });
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(BEGIN + 2);
  });

  it("TestRequestSpecificReservedPort / TestRequestPortInRangeWithReservedPort: explicit requests ignore reservations", () => {
    const p = make({ reservedPorts: [10000, 20000] });
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 10000, 10000)).toBe(10000);
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 20000, 20004)).toBe(20000);
  });

  it("TestRequestNewPortAllReserved", () => {
    const reservedPorts = Array.from({ length: END - BEGIN + 1 }, (_, i) => BEGIN + i);
    const p = make({ reservedPorts });
    expect(netdError(() => p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).code).toBe("PORTS_EXHAUSTED");
    // An explicit range covering the same ports is still served.
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", BEGIN, END)).toBe(BEGIN);
  });
});
