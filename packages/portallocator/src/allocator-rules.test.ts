import { isNetdError } from "@netd/driverapi";
import { describe, expect, it } from "vitest";
import { createPortAllocator } from "./allocator.js";
import type { PortAllocatorOptions } from "./allocator.js";
import { PORT_RANGE_FILE, RESERVED_PORTS_FILE } from "./system-ports.js";

function make(options: PortAllocatorOptions = {}) {
  return createPortAllocator({ range: { start: 30000, end: 30099 }, reservedPorts: [], ...options });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isNetdError(error)) return error.code;
    throw error;
  }
  return "NO_ERROR";
}

/** True when `port` can still be taken on `address` (probe, then undo). */
function free(p: ReturnType<typeof make>, address: string, port: number, protocol: "tcp" | "udp" = "tcp"): boolean {
  if (codeOf(() => p.requestPortsInRange([address], protocol, port, port)) !== "NO_ERROR") return false;
  p.releasePort(address, protocol, port);
  return true;
}

describe("conflict sets (§7.1)", () => {
  it("a specific address conflicts with the unspecified address of its family, both ways", () => {
    const p = make();
    p.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080);
    expect(free(p, "127.0.0.1", 8080)).toBe(false);
    expect(free(p, "::1", 8080)).toBe(true);
    expect(free(p, "::", 8080)).toBe(true);
    p.releasePort("0.0.0.0", "tcp", 8080);
    p.requestPortsInRange(["10.1.2.3"], "tcp", 8080, 8080);
    expect(free(p, "0.0.0.0", 8080)).toBe(false);
    expect(free(p, "10.1.2.4", 8080)).toBe(true);
    expect(free(p, "::", 8080)).toBe(true);
  });

  it("the unspecified address conflicts with every address of its family, IPv6 too", () => {
    const p = make();
    p.requestPortsInRange(["2001:db8::1"], "udp", 53, 53);
    expect(free(p, "::", 53, "udp")).toBe(false);
    expect(free(p, "2001:db8::2", 53, "udp")).toBe(true);
    expect(free(p, "0.0.0.0", 53, "udp")).toBe(true);
    expect(free(p, "::", 53, "tcp")).toBe(true);
    p.releasePort("2001:db8::1", "udp", 53);
    expect(free(p, "::", 53, "udp")).toBe(true);
  });

  it("names the holder when the conflict comes from another address", () => {
    const p = make();
    p.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080);
    try {
      p.requestPortsInRange(["127.0.0.1"], "tcp", 8080, 8080);
      expect.unreachable();
    } catch (error) {
      expect(isNetdError(error) && error.message).toBe(
        "Bind for 127.0.0.1:8080 failed: port is already allocated; tcp port 8080 is in use (held on 0.0.0.0); pick another host port or unpublish the binding that holds it",
      );
    }
  });

  it("defaults (0.0.0.0 and ::) share one ephemeral port; 127.0.0.1 and :: share one too", () => {
    const p = make();
    expect(p.requestPortsInRange(["0.0.0.0", "::"], "tcp", 0, 0)).toBe(30000);
    expect(free(p, "0.0.0.0", 30000)).toBe(false);
    expect(free(p, "::", 30000)).toBe(false);
    expect(p.requestPortsInRange(["127.0.0.1", "::"], "tcp", 0, 0)).toBe(30001);
  });

  it("a range skips a port busy on only one of several addresses", () => {
    const p = make();
    p.requestPortsInRange(["::"], "tcp", 8080, 8080);
    expect(p.requestPortsInRange(["0.0.0.0", "::"], "tcp", 8080, 8090)).toBe(8081);
    // A mix of specific and unspecified in one request.
    p.requestPortsInRange(["192.168.1.5"], "tcp", 8082, 8082);
    expect(p.requestPortsInRange(["0.0.0.0", "::1"], "tcp", 8080, 8090)).toBe(8083);
    // Specific IPv4 addresses ignore "::" and each other, but not 0.0.0.0.
    expect(p.requestPortsInRange(["192.168.1.6", "192.168.1.7"], "tcp", 8080, 8090)).toBe(8080);
    expect(p.requestPortsInRange(["192.168.1.5", "192.168.1.6"], "tcp", 8080, 8090)).toBe(8084);
  });

  it("an exact port before a range on the same addresses: the range avoids it", () => {
    const p = make();
    const addrs = ["192.0.2.1", "192.0.2.2", "2001:db8::1"];
    expect(p.requestPortsInRange(addrs, "tcp", 8081, 8081)).toBe(8081);
    expect(p.requestPortsInRange(addrs, "tcp", 8080, 8082)).toBe(8080);
    expect(p.requestPortsInRange(addrs, "tcp", 8080, 8082)).toBe(8082);
    expect(codeOf(() => p.requestPortsInRange(addrs, "tcp", 8080, 8082))).toBe("PORTS_EXHAUSTED");
    // Exhaustion, then release one address of one port: still busy on the others.
    p.releasePort("192.0.2.1", "tcp", 8080);
    expect(codeOf(() => p.requestPortsInRange(addrs, "tcp", 8080, 8082))).toBe("PORTS_EXHAUSTED");
    expect(p.requestPortsInRange(["192.0.2.1"], "tcp", 8080, 8082)).toBe(8080);
  });

  it("unmaps IPv4-mapped IPv6 addresses, in requests and releases", () => {
    const p = make();
    expect(p.requestPortsInRange(["::ffff:127.0.0.1"], "tcp", 9000, 9000)).toBe(9000);
    expect(free(p, "127.0.0.1", 9000)).toBe(false);
    expect(free(p, "0.0.0.0", 9000)).toBe(false);
    expect(free(p, "::", 9000)).toBe(true);
    p.releasePort("::ffff:7f00:1", "tcp", 9000);
    expect(free(p, "127.0.0.1", 9000)).toBe(true);
    // Two spellings of one address count once.
    expect(p.requestPortsInRange(["127.0.0.1", "::ffff:127.0.0.1"], "tcp", 9001, 9001)).toBe(9001);
    p.releasePort("127.0.0.1", "tcp", 9001);
    expect(free(p, "127.0.0.1", 9001)).toBe(true);
  });

  it("keeps the cursor per range: a released port is not reused at once", () => {
    const p = make();
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(30000);
    p.releasePort("0.0.0.0", "tcp", 30000);
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(30001);
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 8000, 8010)).toBe(8000);
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(30002);
  });
});

describe("prefer", () => {
  it("is taken first when it is in the range and free on every address", () => {
    const p = make();
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0, { prefer: 30050 })).toBe(30050);
    // The cursor did not move: the next ephemeral port is the range start.
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(30000);
    expect(p.requestPortsInRange(["::"], "tcp", 0, 0, { prefer: 30050 })).toBe(30050);
  });

  it("is ignored when out of range, busy on one address, or kernel-reserved", () => {
    const p = make({ reservedPorts: [30070] });
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0, { prefer: 8080 })).toBe(30000);
    p.requestPortsInRange(["::"], "tcp", 30060, 30060);
    expect(p.requestPortsInRange(["0.0.0.0", "::"], "tcp", 0, 0, { prefer: 30060 })).toBe(30001);
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0, { prefer: 30070 })).toBe(30002);
    // An explicit range may use a reserved port.
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 30065, 30075, { prefer: 30070 })).toBe(30070);
  });

  it("does not override a specific port request", () => {
    expect(make().requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080, { prefer: 8081 })).toBe(8080);
  });
});

describe("validation: a failed call changes nothing", () => {
  it.each([
    [[], "tcp", 0, 0, undefined, "NO_ADDRESSES"],
    [["0.0.0.0", "localhost"], "tcp", 0, 0, undefined, "INVALID_ADDRESS"],
    [["0.0.0.0"], "icmp", 0, 0, undefined, "UNKNOWN_PROTOCOL"],
    [["0.0.0.0"], "tcp", 8081, 8080, undefined, "INVALID_PORT_RANGE"],
    [["0.0.0.0"], "tcp", 0, 8080, undefined, "INVALID_PORT_RANGE"],
    [["0.0.0.0"], "tcp", 1, 65536, undefined, "INVALID_PORT_RANGE"],
    [["0.0.0.0"], "tcp", 1.5, 2, undefined, "INVALID_PORT_RANGE"],
    [["0.0.0.0"], "tcp", -1, -1, undefined, "INVALID_PORT_RANGE"],
    [["0.0.0.0"], "tcp", 0, 0, 0, "INVALID_PORT"],
  ])("%j %s %d-%d prefer=%s → %s", (addresses, protocol, start, end, prefer, code) => {
    const p = make();
    expect(codeOf(() => p.requestPortsInRange(addresses, protocol as never, start, end, { prefer }))).toBe(code);
    expect(p.requestPortsInRange(["0.0.0.0", "::"], "tcp", 0, 0)).toBe(30000);
  });

  it("releasePort refuses garbage but ignores unknown addresses and ports", () => {
    const p = make();
    p.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080);
    expect(codeOf(() => p.releasePort("nope", "tcp", 8080))).toBe("INVALID_ADDRESS");
    expect(codeOf(() => p.releasePort("0.0.0.0", "icmp" as never, 8080))).toBe("UNKNOWN_PROTOCOL");
    expect(codeOf(() => p.releasePort("0.0.0.0", "tcp", 70000))).toBe("INVALID_PORT");
    p.releasePort("10.9.9.9", "tcp", 8080);
    p.releasePort("0.0.0.0", "udp", 8080);
    p.releasePort("0.0.0.0", "tcp", 8081);
    expect(free(p, "0.0.0.0", 8080)).toBe(false);
  });

  it("refuses a bad injected default range", () => {
    expect(codeOf(() => createPortAllocator({ range: { start: 0, end: 0 } }))).toBe("INVALID_PORT_RANGE");
    expect(codeOf(() => createPortAllocator({ range: { start: 100, end: 99 } }))).toBe("INVALID_PORT_RANGE");
    expect(codeOf(() => createPortAllocator({ range: { start: 1, end: 9 }, reservedPorts: [0] }))).toBe("INVALID_PORT");
  });
});

describe("restore", () => {
  it("re-marks exact ports, which then conflict like allocations", () => {
    const p = make();
    p.restore([
      { address: "0.0.0.0", protocol: "tcp", port: 30000 },
      { address: "::", protocol: "tcp", port: 30000 },
      { address: "127.0.0.1", protocol: "udp", port: 5353 },
    ]);
    expect(free(p, "::1", 30000)).toBe(false);
    expect(free(p, "0.0.0.0", 5353, "udp")).toBe(false);
    expect(p.requestPortsInRange(["0.0.0.0", "::"], "tcp", 0, 0)).toBe(30001);
  });

  it("throws PORT_ALREADY_ALLOCATED on a conflict and leaves nothing of the call behind", () => {
    const p = make();
    p.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080);
    let code = codeOf(() =>
      p.restore([
        { address: "::", protocol: "tcp", port: 9000 },
        { address: "127.0.0.1", protocol: "tcp", port: 8080 },
      ]),
    );
    expect(code).toBe("PORT_ALREADY_ALLOCATED");
    expect(free(p, "::", 9000)).toBe(true);
    // Conflicts inside one call count as well.
    code = codeOf(() =>
      p.restore([
        { address: "10.0.0.1", protocol: "udp", port: 7000 },
        { address: "0.0.0.0", protocol: "udp", port: 7000 },
      ]),
    );
    expect(code).toBe("PORT_ALREADY_ALLOCATED");
    expect(free(p, "10.0.0.1", 7000, "udp")).toBe(true);
  });

  it("validates every entry before marking any", () => {
    const p = make();
    const code = codeOf(() =>
      p.restore([
        { address: "0.0.0.0", protocol: "tcp", port: 1000 },
        { address: "0.0.0.0", protocol: "tcp", port: 0 },
      ]),
    );
    expect(code).toBe("INVALID_PORT");
    expect(free(p, "0.0.0.0", 1000)).toBe(true);
  });
});

describe("releaseAll and /proc", () => {
  it("releaseAll forgets every allocation and cursor", () => {
    const p = make();
    p.requestPortsInRange(["0.0.0.0", "::"], "tcp", 0, 0);
    p.requestPortsInRange(["10.0.0.1"], "sctp", 8080, 8080);
    p.releaseAll();
    expect(p.requestPortsInRange(["0.0.0.0", "::"], "tcp", 0, 0)).toBe(30000);
    expect(p.requestPortsInRange(["0.0.0.0"], "sctp", 8080, 8080)).toBe(8080);
  });

  it("reads the default range and reserved ports through readProcFile", () => {
    const files = new Map([
      [PORT_RANGE_FILE, "40000\t40009\n"],
      [RESERVED_PORTS_FILE, "40000,40002-40003\n"],
    ]);
    const p = createPortAllocator({ readProcFile: (path) => files.get(path) ?? null });
    expect(p.defaultRange).toEqual({ start: 40000, end: 40009 });
    const got = Array.from({ length: 7 }, () => p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0));
    expect(got).toEqual([40001, 40004, 40005, 40006, 40007, 40008, 40009]);
    expect(codeOf(() => p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0))).toBe("PORTS_EXHAUSTED");
    // releaseAll re-reads the files: the kernel range may have changed.
    files.set(PORT_RANGE_FILE, "50000\t50001\n");
    files.set(RESERVED_PORTS_FILE, "\n");
    p.releaseAll();
    expect(p.defaultRange).toEqual({ start: 50000, end: 50001 });
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(50000);
  });

  it("falls back to 49153-65535 and no reservations when the files are unreadable or malformed", () => {
    expect(createPortAllocator({ readProcFile: () => null }).defaultRange).toEqual({ start: 49153, end: 65535 });
    const p = createPortAllocator({ readProcFile: (path) => (path === PORT_RANGE_FILE ? "garbage" : "1,x") });
    expect(p.defaultRange).toEqual({ start: 49153, end: 65535 });
    expect(p.requestPortsInRange(["0.0.0.0"], "tcp", 0, 0)).toBe(49153);
  });

  it("reads the real files by default", () => {
    const p = createPortAllocator();
    expect(p.defaultRange.start).toBeGreaterThanOrEqual(1);
    expect(p.defaultRange.end).toBeGreaterThanOrEqual(p.defaultRange.start);
  });
});
