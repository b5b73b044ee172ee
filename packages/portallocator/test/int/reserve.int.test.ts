import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestEnv, TestNetns } from "@netd/testing";
import { useTestEnv } from "@netd/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// Sockets bind in the namespace of the process that opens them, so the reserver runs in a
// child inside the test namespace and imports the BUILT package (turbo's test:int depends
// on build).
const DIST = new URL("../../dist/index.js", import.meta.url);

/** Holds a reservation until `argv[3]` exists, releases it, then stays alive until killed. */
const HOLDER = `
import { existsSync } from "node:fs";
const { createPortAllocator, createOsPortReserver } = await import(process.argv[1]);
const [protocol, trigger] = [process.argv[2], process.argv[3]];
const allocator = createPortAllocator({ range: { start: 40000, end: 40099 }, reservedPorts: [] });
const reserver = createOsPortReserver({ allocator });
const r = await reserver.reserve(["127.0.0.1", "::1"], protocol, 0, 0);
console.log("RESERVED " + r.port + " " + r.addresses.join(","));
const timer = setInterval(async () => {
  if (!existsSync(trigger)) return;
  clearInterval(timer);
  await r.release();
  console.log("RELEASED");
  setInterval(() => {}, 1000);
}, 20);
`;

/** Tries to bind `protocol` on 127.0.0.1 and ::1 at `port`; prints {address: "ok" | errno}. */
const PROBE = `
import net from "node:net";
import dgram from "node:dgram";
const [protocol, port] = [process.argv[1], Number(process.argv[2])];
async function tryBind(address) {
  const v6 = address.includes(":");
  return new Promise((resolve) => {
    if (protocol === "tcp") {
      const s = net.createServer();
      s.once("error", (e) => resolve(e.code));
      s.listen({ host: address, port, ipv6Only: v6 }, () => s.close(() => resolve("ok")));
    } else {
      const s = dgram.createSocket(v6 ? { type: "udp6", ipv6Only: true } : { type: "udp4" });
      s.once("error", (e) => { s.close(); resolve(e.code); });
      s.bind({ address, port }, () => s.close(() => resolve("ok")));
    }
  });
}
const result = {};
for (const a of ["127.0.0.1", "::1"]) result[a] = await tryBind(a);
console.log(JSON.stringify(result));
`;

/** Connects to 127.0.0.1:port; prints how the attempt ended. */
const CONNECT = `
import net from "node:net";
const c = net.connect(Number(process.argv[1]), "127.0.0.1");
c.on("data", () => console.log("data"));
c.on("error", (e) => console.log(e.code));
c.on("close", () => console.log("closed"));
`;

/** In one process: another socket holds a port; the reserver must report it and move on. */
const CONFLICT = `
import net from "node:net";
const { createPortAllocator, createOsPortReserver } = await import(process.argv[1]);
const port = Number(process.argv[2]);
const other = net.createServer();
await new Promise((ok) => other.listen({ host: "::1", port, ipv6Only: true }, ok));
const allocator = createPortAllocator({ range: { start: 40000, end: 40099 }, reservedPorts: [] });
const reserver = createOsPortReserver({ allocator });
const out = {};
try {
  await reserver.reserve(["127.0.0.1", "::1"], "tcp", port, port);
  out.single = "reserved";
} catch (e) {
  out.single = { code: e.code, message: e.message };
}
// 127.0.0.1:port was bound before ::1 failed: it must have been closed again.
out.v4Free = await new Promise((ok) => {
  const s = net.createServer();
  s.once("error", (e) => ok(e.code));
  s.listen({ host: "127.0.0.1", port }, () => s.close(() => ok(true)));
});
const r = await reserver.reserve(["127.0.0.1", "::1"], "tcp", port, port + 5);
out.range = r.port;
await r.release();
other.close();
console.log(JSON.stringify(out));
`;

async function waitFor(read: () => string, pattern: RegExp, what: string, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function probe(ns: TestNetns, protocol: string, port: number): Promise<Record<string, string>> {
  const result = await ns.exec(["node", "--input-type=module", "-e", PROBE, protocol, String(port)], { timeoutMs: 10_000 });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, string>;
}

describe("createOsPortReserver in a network namespace", () => {
  const env = useTestEnv("pa");
  let ns: TestNetns;
  let dir: string;

  beforeEach(async () => {
    if (!existsSync(DIST)) throw new Error(`${fileURLToPath(DIST)} is missing: run \`pnpm run build\` first`);
    ns = await env().netns("res");
    dir = mkdtempSync(join(tmpdir(), "netd-portallocator-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function holdAndRelease(e: TestEnv, protocol: "tcp" | "udp"): Promise<void> {
    const trigger = join(dir, `release-${protocol}`);
    const holder = await e.spawnIn(ns, ["node", "--input-type=module", "-e", HOLDER, DIST.href, protocol, trigger]);
    const [, portText, addresses] = await waitFor(holder.output, /RESERVED (\d+) (\S+)/, "the reservation");
    const port = Number(portText);
    expect(port).toBe(40000);
    expect(addresses).toBe("127.0.0.1,::1");

    // While the reservation is held, no other process in the namespace can bind the port.
    expect(await probe(ns, protocol, port)).toEqual({ "127.0.0.1": "EADDRINUSE", "::1": "EADDRINUSE" });

    // After release (the holder process is still alive) the port is free on both addresses.
    writeFileSync(trigger, "");
    await waitFor(holder.output, /RELEASED/, "the release");
    expect(await probe(ns, protocol, port)).toEqual({ "127.0.0.1": "ok", "::1": "ok" });
    await holder.stop();
  }

  it("holds a TCP port on 127.0.0.1 and ::1 against other processes until released", async () => {
    await holdAndRelease(env(), "tcp");
  });

  it("holds a UDP port on 127.0.0.1 and ::1 against other processes until released", async () => {
    await holdAndRelease(env(), "udp");
  });

  it("resets a TCP connection that reaches the reserving socket, without serving it", async () => {
    const holder = await env().spawnIn(ns, ["node", "--input-type=module", "-e", HOLDER, DIST.href, "tcp", join(dir, "never")]);
    const [, port] = await waitFor(holder.output, /RESERVED (\d+)/, "the reservation");
    const result = await ns.exec(["node", "--input-type=module", "-e", CONNECT, port!], { timeoutMs: 10_000 });
    expect(result.stdout.trim().split("\n")).toEqual(["ECONNRESET", "closed"]);
    await holder.stop();
  });

  it("reports a port held by another socket and takes the next one in a range", async () => {
    const result = await ns.exec(["node", "--input-type=module", "-e", CONFLICT, DIST.href, "40050"], { timeoutMs: 10_000 });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { single: { code: string; message: string }; v4Free: unknown; range: number };
    expect(out.single.code).toBe("HOST_PORT_IN_USE");
    expect(out.single.message).toMatch(/^failed to bind host port \[::1\]:40050\/tcp: address already in use; /);
    expect(out.v4Free).toBe(true);
    expect(out.range).toBe(40051);
  });
});
