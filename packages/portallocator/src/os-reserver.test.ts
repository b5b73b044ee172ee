import type { HostPortReserver, NetdError } from "@netd/driverapi";
import { isNetdError } from "@netd/driverapi";
import { describe, expect, it } from "vitest";
import { createPortAllocator } from "./allocator.js";
import type { BindRequest, BindSocket } from "./bind-socket.js";
import { MAX_BIND_ATTEMPTS, createOsPortReserver } from "./os-reserver.js";

/**
 * A fake kernel socket table with the kernel's invariant: one socket per
 * (protocol, address, port). `busy` simulates other processes' sockets.
 */
function fakeKernel() {
  const open = new Set<string>();
  const busy = new Set<string>();
  const calls: BindRequest[] = [];
  const key = (r: { protocol: string; address: string; port: number }) => `${r.protocol} ${r.address} ${r.port}`;
  const bind: BindSocket = (request) => {
    calls.push(request);
    const k = key(request);
    if (open.has(k) || busy.has(k)) return Promise.reject(Object.assign(new Error("bind"), { code: "EADDRINUSE" }));
    open.add(k);
    let closed = false;
    return Promise.resolve({
      close: () => {
        if (closed) return Promise.reject(new Error("closed twice"));
        closed = true;
        open.delete(k);
        return Promise.resolve();
      },
    });
  };
  const occupy = (protocol: string, address: string, port: number) => busy.add(key({ protocol, address, port }));
  return { bind, open, calls, occupy };
}

function setup(range = { start: 30000, end: 30099 }) {
  const allocator = createPortAllocator({ range, reservedPorts: [] });
  const kernel = fakeKernel();
  const reserver: HostPortReserver = createOsPortReserver({ allocator, bind: kernel.bind });
  /** True when the allocator would hand out `port` on `address` (probe, then undo). */
  const logicallyFree = (address: string, port: number, protocol: "tcp" | "udp" = "tcp") => {
    try {
      allocator.requestPortsInRange([address], protocol, port, port);
    } catch {
      return false;
    }
    allocator.releasePort(address, protocol, port);
    return true;
  };
  return { allocator, kernel, reserver, logicallyFree };
}

async function rejection(promise: Promise<unknown>): Promise<NetdError> {
  try {
    await promise;
  } catch (error) {
    if (isNetdError(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("createOsPortReserver", () => {
  it("binds the same port on every address, and release closes and frees it (idempotently)", async () => {
    const { kernel, reserver, logicallyFree } = setup();
    const r = await reserver.reserve(["0.0.0.0", "::ffff:127.0.0.1", "::"], "tcp", 0, 0);
    expect(r.port).toBe(30000);
    expect(r.addresses).toEqual(["0.0.0.0", "127.0.0.1", "::"]);
    expect(r.protocol).toBe("tcp");
    expect([...kernel.open].sort()).toEqual(["tcp 0.0.0.0 30000", "tcp 127.0.0.1 30000", "tcp :: 30000"]);
    expect(kernel.calls.map((c) => c.family)).toEqual([4, 4, 6]);
    expect(logicallyFree("::", 30000)).toBe(false);
    await r.release();
    await r.release();
    expect(kernel.open.size).toBe(0);
    expect(logicallyFree("::", 30000)).toBe(true);
    expect(logicallyFree("0.0.0.0", 30000)).toBe(true);
  });

  it("retries with another port when a bind fails, closing the sockets it opened", async () => {
    const { kernel, reserver, logicallyFree } = setup();
    kernel.occupy("tcp", "::", 30000);
    kernel.occupy("tcp", "0.0.0.0", 30001);
    const r = await reserver.reserve(["0.0.0.0", "::"], "tcp", 0, 0);
    expect(r.port).toBe(30002);
    expect([...kernel.open].sort()).toEqual(["tcp 0.0.0.0 30002", "tcp :: 30002"]);
    expect(kernel.calls.map((c) => `${c.address} ${c.port}`)).toEqual([
      "0.0.0.0 30000",
      ":: 30000",
      "0.0.0.0 30001",
      "0.0.0.0 30002",
      ":: 30002",
    ]);
    // The failed ports were released in the allocator once the call ended.
    expect(logicallyFree("0.0.0.0", 30000)).toBe(true);
    expect(logicallyFree("::", 30001)).toBe(true);
    await r.release();
  });

  it("does not retry an explicit single port; the error names address, port and protocol", async () => {
    const { kernel, reserver, logicallyFree } = setup();
    kernel.occupy("tcp", "0.0.0.0", 8080);
    const error = await rejection(reserver.reserve(["0.0.0.0", "::"], "tcp", 8080, 8080));
    expect(error.code).toBe("HOST_PORT_IN_USE");
    expect(error.category).toBe("conflict");
    expect(error.message).toMatch(/^failed to bind host port 0\.0\.0\.0:8080\/tcp: address already in use; /);
    expect(kernel.calls).toHaveLength(1);
    expect(logicallyFree("0.0.0.0", 8080)).toBe(true);
    expect(kernel.open.size).toBe(0);
  });

  it("formats IPv6 bind failures in brackets, and a failure on a later address closes the earlier sockets", async () => {
    const { kernel, reserver } = setup();
    kernel.occupy("udp", "::1", 5353);
    const error = await rejection(reserver.reserve(["127.0.0.1", "::1"], "udp", 5353, 5353));
    expect(error.message).toMatch(/^failed to bind host port \[::1\]:5353\/udp: address already in use; /);
    expect(kernel.calls.map((c) => c.address)).toEqual(["127.0.0.1", "::1"]);
    expect(kernel.open.size).toBe(0);
  });

  it(`gives up after ${MAX_BIND_ATTEMPTS} attempts and leaves nothing behind`, async () => {
    const { allocator, kernel, reserver } = setup();
    for (let p = 30000; p <= 30099; p++) kernel.occupy("tcp", "0.0.0.0", p);
    const error = await rejection(reserver.reserve(["0.0.0.0"], "tcp", 0, 0));
    expect(error.code).toBe("HOST_PORT_IN_USE");
    expect(error.message).toContain("0.0.0.0:30009/tcp");
    expect(kernel.calls).toHaveLength(MAX_BIND_ATTEMPTS);
    // Every failed port was released; the cursor moved on as in the reference.
    expect(allocator.requestPortsInRange(["0.0.0.0"], "tcp", 30000, 30000)).toBe(30000);
    expect(allocator.requestPortsInRange(["0.0.0.0"], "tcp", 30009, 30009)).toBe(30009);
  });

  it("reports the bind error, not PORTS_EXHAUSTED, when its own failed ports used up a range", async () => {
    const { kernel, reserver, logicallyFree } = setup();
    kernel.occupy("tcp", "0.0.0.0", 8080);
    kernel.occupy("tcp", "0.0.0.0", 8081);
    const error = await rejection(reserver.reserve(["0.0.0.0"], "tcp", 8080, 8081));
    expect(error.code).toBe("HOST_PORT_IN_USE");
    expect(kernel.calls).toHaveLength(2);
    expect(logicallyFree("0.0.0.0", 8080) && logicallyFree("0.0.0.0", 8081)).toBe(true);
  });

  it("does not retry PORTS_EXHAUSTED and never binds then", async () => {
    const { allocator, kernel, reserver } = setup();
    allocator.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080);
    allocator.requestPortsInRange(["0.0.0.0"], "tcp", 8081, 8081);
    const error = await rejection(reserver.reserve(["0.0.0.0"], "tcp", 8080, 8081));
    expect(error.code).toBe("PORTS_EXHAUSTED");
    expect(kernel.calls).toHaveLength(0);
  });

  it("maps other errnos to PORT_BIND_FAILED (kernel)", async () => {
    const allocator = createPortAllocator({ range: { start: 30000, end: 30099 }, reservedPorts: [] });
    let calls = 0;
    const reserver = createOsPortReserver({
      allocator,
      bind: () => {
        calls++;
        return Promise.reject(Object.assign(new Error("bind"), { code: "EADDRNOTAVAIL" }));
      },
    });
    const error = await rejection(reserver.reserve(["192.0.2.7"], "tcp", 0, 0));
    expect(error.code).toBe("PORT_BIND_FAILED");
    expect(error.category).toBe("kernel");
    expect(error.message).toMatch(/^failed to bind host port 192\.0\.2\.7:\d+\/tcp: cannot assign requested address; /);
    expect(calls).toBe(MAX_BIND_ATTEMPTS);
  });

  it("passes prefer through and keeps it when it binds", async () => {
    const { reserver } = setup();
    const r = await reserver.reserve(["0.0.0.0"], "udp", 0, 0, { prefer: 30042 });
    expect(r.port).toBe(30042);
    await r.release();
  });

  it("refuses SCTP with the default binder before allocating anything", async () => {
    const allocator = createPortAllocator({ range: { start: 30000, end: 30099 }, reservedPorts: [] });
    const reserver = createOsPortReserver({ allocator });
    const error = await rejection(reserver.reserve(["0.0.0.0"], "sctp", 0, 0));
    expect(error.code).toBe("UNSUPPORTED");
    expect(error.category).toBe("unsupported");
    expect(error.message).toMatch(/^SCTP host ports cannot be reserved: Node\.js has no SCTP sockets; /);
    expect(allocator.requestPortsInRange(["0.0.0.0"], "sctp", 0, 0)).toBe(30000);
  });

  it("hands SCTP to an injected binder", async () => {
    const { kernel, reserver } = setup();
    const r = await reserver.reserve(["0.0.0.0"], "sctp", 0, 0);
    expect([...kernel.open]).toEqual(["sctp 0.0.0.0 30000"]);
    await r.release();
  });

  it("validates before binding", async () => {
    const { kernel, reserver } = setup();
    expect((await rejection(reserver.reserve([], "tcp", 0, 0))).code).toBe("NO_ADDRESSES");
    expect((await rejection(reserver.reserve(["nope"], "tcp", 0, 0))).code).toBe("INVALID_ADDRESS");
    expect((await rejection(reserver.reserve(["::"], "icmp" as never, 0, 0))).code).toBe("UNKNOWN_PROTOCOL");
    expect((await rejection(reserver.reserve(["::"], "tcp", 9, 8))).code).toBe("INVALID_PORT_RANGE");
    expect(kernel.calls).toHaveLength(0);
  });

  it("release still frees the port and reports a socket that failed to close", async () => {
    const allocator = createPortAllocator({ range: { start: 30000, end: 30099 }, reservedPorts: [] });
    const reserver = createOsPortReserver({
      allocator,
      bind: () => Promise.resolve({ close: () => Promise.reject(new Error("EBADF")) }),
    });
    const r = await reserver.reserve(["0.0.0.0"], "tcp", 8080, 8080);
    const error = await rejection(r.release());
    expect(error.code).toBe("MULTIPLE_FAILURES");
    expect(error.message).toContain("EBADF");
    expect(allocator.requestPortsInRange(["0.0.0.0"], "tcp", 8080, 8080)).toBe(8080);
  });
});
