import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createTestEnv, requireRoot, useTestEnv, type TestEnv, type TestNetns } from "../../src/index.js";

/** Two namespaces a and b joined by a veth pair made inside a (never in the root namespace). */
async function pair(env: TestEnv): Promise<{ a: TestNetns; b: TestNetns }> {
  const a = await env.netns("a");
  const b = await env.netns("b");
  const ok = async (ns: TestNetns, argv: string[]): Promise<void> => {
    const r = await ns.exec(argv);
    expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(0);
  };
  await ok(a, ["ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.name]);
  await ok(a, ["ip", "addr", "add", "10.77.0.1/24", "dev", "va"]);
  await ok(a, ["ip", "addr", "add", "fd77::1/64", "dev", "va", "nodad"]);
  await ok(b, ["ip", "addr", "add", "10.77.0.2/24", "dev", "vb"]);
  await ok(b, ["ip", "addr", "add", "fd77::2/64", "dev", "vb", "nodad"]);
  await ok(a, ["ip", "link", "set", "va", "up"]);
  await ok(b, ["ip", "link", "set", "vb", "up"]);
  return { a, b };
}

describe("harness", () => {
  const env = useTestEnv("harness self-test");

  it("creates namespaces with lo up, exec and the ip/nft oracles work", async () => {
    const ns = await env().netns("x");
    expect(ns.name).toBe(`${env().prefix}-x`);
    expect(ns.path).toBe(`/run/netns/${ns.name}`);
    expect(existsSync(ns.path)).toBe(true);
    const links = (await ns.ipJson(["link", "show", "lo"])) as { ifname: string; operstate: string; flags: string[] }[];
    expect(links[0]?.ifname).toBe("lo");
    expect(links[0]?.flags).toContain("UP");
    const cat = await ns.exec(["cat"], { input: "hello" });
    expect(cat).toEqual({ code: 0, stdout: "hello", stderr: "" });
    expect((await ns.exec(["false"])).code).toBe(1);
    await expect(ns.exec(["sleep", "5"], { timeoutMs: 200 })).rejects.toThrow(/timed out/);
    expect(await ns.nftJson(["list", "table", "inet", "nope"])).toBeNull();
    const add = await ns.exec(["nft", "add", "table", "inet", `${env().prefix}t`]);
    expect(add.code, add.stderr).toBe(0);
    const table = (await ns.nftJson(["list", "table", "inet", `${env().prefix}t`])) as { nftables: unknown[] };
    expect(JSON.stringify(table.nftables)).toContain(`${env().prefix}t`);
    await expect(env().netns("x")).rejects.toThrow(/already created/);
  });

  for (const proto of ["tcp", "udp"] as const) {
    for (const [family, server, client] of [
      ["IPv4", "10.77.0.2", "10.77.0.1"],
      ["IPv6", "fd77::2", "fd77::1"],
    ] as const) {
      it(`${proto} echo over ${family} between two namespaces`, async () => {
        const { a, b } = await pair(env());
        const srv = await env().startEchoServer(b, { proto, address: server, port: 0, reply: "pong" });
        expect(srv.port).toBeGreaterThan(0);
        const reply = await env().sendAndReceive(a, { proto, address: server, port: srv.port, payload: "hi there", source: client });
        expect(reply).toBe("pong:hi there");
        expect(await env().canReach(a, { proto, address: server, port: srv.port })).toBe(true);
        await srv.stop();
        await srv.stop();
        expect(await env().canReach(a, { proto, address: server, port: srv.port })).toBe(false);
      });
    }
  }

  it("a '::' server answers IPv4 and IPv6 clients (dual-stack)", async () => {
    const { a, b } = await pair(env());
    for (const proto of ["tcp", "udp"] as const) {
      const srv = await env().startEchoServer(b, { proto, address: "::", port: 7070 });
      expect(srv.port).toBe(7070);
      expect(await env().sendAndReceive(a, { proto, address: "10.77.0.2", port: 7070, payload: "v4" })).toBe("echo:v4");
      expect(await env().sendAndReceive(a, { proto, address: "fd77::2", port: 7070, payload: "v6" })).toBe("echo:v6");
    }
  });

  it("canReach is false and sendAndReceive throws for a closed port", async () => {
    const { a } = await pair(env());
    for (const proto of ["tcp", "udp"] as const) {
      expect(await env().canReach(a, { proto, address: "10.77.0.2", port: 9, timeoutMs: 500 })).toBe(false);
      await expect(
        env().sendAndReceive(a, { proto, address: "fd77::2", port: 9, payload: "x", timeoutMs: 500 }),
      ).rejects.toThrow(/sendAndReceive from .*(ECONNREFUSED|no reply)/);
    }
    // Nobody at all: the address does not exist, so nothing answers before the timeout.
    expect(await env().canReach(a, { proto: "udp", address: "10.77.0.99", port: 53, timeoutMs: 300 })).toBe(false);
  });

  it("a server that cannot bind fails with its error", async () => {
    const ns = await env().netns("x");
    await expect(env().startEchoServer(ns, { proto: "tcp", address: "10.1.2.3", port: 80 })).rejects.toThrow(
      /exited before listening: .*EADDRNOTAVAIL/,
    );
  });

  it("spawnIn tracks output and stops by PID", async () => {
    const ns = await env().netns("x");
    const proc = await env().spawnIn(ns, ["sh", "-c", "echo started; exec sleep 60"]);
    expect(proc.pid).toBeGreaterThan(0);
    for (let i = 0; i < 50 && !proc.output().includes("started"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(proc.output()).toContain("started");
    process.kill(proc.pid, 0);
    await proc.stop();
    expect(() => process.kill(proc.pid, 0)).toThrow();
  });
});

describe("cleanup and leftovers", () => {
  it("cleanup removes namespaces, adopted namespaces and processes; it is idempotent", async () => {
    requireRoot();
    const env = await createTestEnv("cleanup");
    try {
      const ns = await env.netns("c");
      const proc = await env.spawnIn(ns, ["sleep", "60"]);
      // A namespace made by "code under test", adopted so the env removes it.
      const foreign = `${env.prefix}x-foreign`;
      const made = await ns.exec(["ip", "netns", "add", foreign]);
      expect(made.code, made.stderr).toBe(0);
      env.adoptNetns(`/run/netns/${foreign}`);
      await env.cleanup();
      expect(existsSync(ns.path)).toBe(false);
      expect(existsSync(`/run/netns/${foreign}`)).toBe(false);
      expect(() => process.kill(proc.pid, 0)).toThrow();
      await env.cleanup();
      await env.assertNoLeftovers();
    } finally {
      await env.cleanup();
    }
  });

  it("assertNoLeftovers throws when a namespace is left", async () => {
    requireRoot();
    const env = await createTestEnv("leftover");
    try {
      const ns = await env.netns("left");
      await expect(env.assertNoLeftovers()).rejects.toThrow(new RegExp(`left 1 thing.*\\n.*namespace ${ns.path}`));
      const proc = await env.spawnIn(ns, ["sleep", "60"]);
      await expect(env.assertNoLeftovers()).rejects.toThrow(new RegExp(`process ${proc.pid}`));
    } finally {
      await env.cleanup();
    }
    await env.assertNoLeftovers();
  });
});
