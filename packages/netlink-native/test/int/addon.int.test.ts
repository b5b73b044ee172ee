// Smoke test of the addon against the real kernel: runs as root, in namespaces it creates
// with the prefix "nn<random>" and deletes afterwards.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readlinkSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as native from "../../index.js";

const ip = (args: string[]): string => execFileSync("ip", args, { encoding: "utf8" });

describe("netlink-native", () => {
  let name = "";
  let path = "";

  beforeEach(async () => {
    if (process.getuid?.() !== 0) throw new Error("integration tests must run as root");
    name = `nn${randomBytes(3).toString("hex")}`;
    path = await native.createNetns(name);
  });

  afterEach(async () => {
    await native.deleteNetns(`/run/netns/${name}`);
    expect(existsSync(`/run/netns/${name}`)).toBe(false);
  });

  it("creates a namespace that ip netns sees, with lo up, and refuses a duplicate", async () => {
    expect(path).toBe(`/run/netns/${name}`);
    expect(ip(["netns", "list"])).toContain(name);
    const lo = JSON.parse(ip(["-n", name, "-j", "link", "show", "lo"])) as { flags: string[] }[];
    expect(lo[0]!.flags).toContain("UP");
    await expect(native.createNetns(name)).rejects.toMatchObject({ errno: 17, code: "EEXIST" });
    expect(await native.isNetns(path)).toBe(true);
    expect(await native.isNetns("/etc/hostname")).toBe(false);
    const st = statSync(path);
    expect(await native.netnsIdentity(path)).toBe(`${st.dev}:${st.ino}`);
    expect(await native.netnsIdentity("/etc/hostname")).toBeNull();
    expect(await native.netnsIdentity("/nonexistent/netns")).toBeNull();
    const fd = await native.openNetns(path);
    expect(fd).not.toBeNull();
    expect(fstatSync(fd!).ino).toBe(st.ino);
    closeSync(fd!);
    expect(await native.openNetns("/etc/hostname")).toBeNull();
    expect(await native.openNetns("/nonexistent/netns")).toBeNull();
  });

  it("reads and writes a sysctl inside the namespace only", async () => {
    const file = "/proc/sys/net/ipv4/ip_forward";
    const host = await native.readFileInNetns(null, file);
    await native.writeFileInNetns(path, file, "1");
    expect((await native.readFileInNetns(path, file)).trim()).toBe("1");
    expect(ip(["netns", "exec", name, "cat", file]).trim()).toBe("1");
    expect(await native.readFileInNetns(null, file)).toBe(host);
  });

  it("exchanges netlink messages inside the namespace and reports errors with the ext-ack text", async () => {
    const fd = await native.openNetlink(native.NETLINK_ROUTE, path);
    try {
      // RTM_GETLINK dump (type 18, NLM_F_REQUEST|NLM_F_DUMP): only lo exists in a new namespace.
      const dump = Buffer.alloc(32);
      dump.writeUInt32LE(32, 0);
      dump.writeUInt16LE(18, 4);
      dump.writeUInt16LE(0x301, 6);
      dump.writeUInt32LE(1, 8);
      const replies = await native.transact(fd, dump);
      const text = Buffer.concat(replies).toString("latin1");
      expect(text).toContain("lo\0");
      // RTM_NEWLINK (16) with IFLA_IFNAME "x" and a bogus kind: the kernel refuses.
      const req = Buffer.alloc(16 + 16 + 8 + 16);
      req.writeUInt32LE(req.length, 0);
      req.writeUInt16LE(16, 4);
      req.writeUInt16LE(0x1 | 0x4 | 0x400 | 0x200, 6);
      req.writeUInt32LE(2, 8);
      req.writeUInt16LE(6, 32); // IFLA_IFNAME len
      req.writeUInt16LE(3, 34);
      req.write("x\0", 36, "latin1");
      req.writeUInt16LE(16, 40); // IFLA_LINKINFO
      req.writeUInt16LE(18 | 0x8000, 42);
      req.writeUInt16LE(10, 44); // IFLA_INFO_KIND "nosuch"
      req.writeUInt16LE(1, 46);
      req.write("nosuch\0", 48, "latin1");
      const err = await native.transact(fd, req);
      const msg = err[0]!;
      expect(msg.readUInt16LE(4)).toBe(2); // NLMSG_ERROR
      expect(msg.readInt32LE(16)).toBeLessThan(0);
    } finally {
      native.closeNetlink(fd);
    }
  });

  it("transactInline answers requests the kernel handles inside sendto at once, errors included, and completes a dump", async () => {
    const fd = await native.openNetlink(native.NETLINK_ROUTE, path);
    try {
      // RTM_NEWADDR (20) 10.9.8.7/24 on lo (index 1), NLM_F_REQUEST|ACK|CREATE|EXCL: the ACK is
      // queued before sendto returns, so the replies come back synchronously (an array, no Promise).
      const add = Buffer.alloc(16 + 8 + 8 + 8);
      add.writeUInt32LE(add.length, 0);
      add.writeUInt16LE(20, 4);
      add.writeUInt16LE(0x1 | 0x4 | 0x400 | 0x200, 6);
      add.writeUInt32LE(7, 8);
      add.writeUInt8(2, 16); // AF_INET
      add.writeUInt8(24, 17);
      add.writeUInt32LE(1, 20); // ifindex of lo
      for (const [at, type] of [[24, 2], [32, 1]] as const) {
        add.writeUInt16LE(8, at); // IFA_LOCAL (2), IFA_ADDRESS (1)
        add.writeUInt16LE(type, at + 2);
        Buffer.from([10, 9, 8, 7]).copy(add, at + 4);
      }
      const now = native.transactInline(fd, add);
      expect(Array.isArray(now)).toBe(true);
      const ack = (now as Buffer[])[0]!;
      expect([ack.readUInt16LE(4), ack.readInt32LE(16), ack.readUInt32LE(8)]).toEqual([2, 0, 7]);
      expect(ip(["-n", name, "-4", "-o", "addr", "show", "dev", "lo"])).toContain("10.9.8.7/24");
      // The same again: the kernel's EEXIST comes back in the NLMSG_ERROR, synchronously too.
      const again = native.transactInline(fd, add) as Buffer[];
      expect(again[0]!.readInt32LE(16)).toBe(-17);
      // A link dump is produced as the reader drains it (inline, or partly on the pool when a
      // part is not there yet): awaiting the result works either way and the whole dump arrives.
      const dump = Buffer.alloc(32);
      dump.writeUInt32LE(32, 0);
      dump.writeUInt16LE(18, 4);
      dump.writeUInt16LE(0x301, 6);
      dump.writeUInt32LE(8, 8);
      const replies = await native.transactInline(fd, dump);
      expect(Buffer.concat(replies).toString("latin1")).toContain("lo\0");
      expect(() => native.transactInline(fd, Buffer.alloc(8))).toThrow(/not a sequence of complete netlink messages/);
    } finally {
      native.closeNetlink(fd);
    }
  });

  it("runs nft in the namespace with JSON output and returns the error text", async () => {
    const add = await native.nftRun("add table ip netdsmoke; add chain ip netdsmoke c", { netns: path });
    expect(add).toEqual({ rc: 0, out: "", err: "" });
    const list = await native.nftRun("list table ip netdsmoke", { netns: path, json: true });
    expect(list.rc).toBe(0);
    expect(JSON.stringify(JSON.parse(list.out))).toContain('"name":"netdsmoke"');
    const oracle = execFileSync("ip", ["netns", "exec", name, "nft", "list", "tables"], { encoding: "utf8" });
    expect(oracle).toContain("table ip netdsmoke");
    const missing = await native.nftRun("list table ip netdnope", { netns: path });
    expect(missing.rc).not.toBe(0);
    expect(missing.err).toContain("No such file or directory");
    await expect(native.nftRun("list tables", { netns: "/nonexistent" })).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("checks namespace paths and binds host sockets on the calling thread, without the pool, and never blocks on a FIFO", async () => {
    // Occupy all four libuv pool threads with opens of a FIFO that has no writer yet: a call
    // that needed the pool could not settle until they are released.
    const dir = mkdtempSync(join(tmpdir(), "nn-pool-"));
    const blocker = join(dir, "fifo");
    execFileSync("mkfifo", [blocker]);
    const fifoInRun = `/run/netns/${name}-fifo`;
    execFileSync("mkfifo", [fifoInRun]);
    const stuck = Array.from({ length: 4 }, () => open(blocker, "r"));
    try {
      await new Promise((r) => setTimeout(r, 50));
      const quick = async <T>(p: Promise<T>): Promise<T> => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("waited for the pool")), 1000))]);
      expect(await quick(native.isNetns(path))).toBe(true);
      expect(await quick(native.isNetns("/proc/self/ns/net"))).toBe(true);
      expect(await quick(native.netnsIdentity(`/proc/${process.pid}/ns/net`))).toMatch(/^\d+:\d+$/);
      expect(await quick(native.isNetns(fifoInRun))).toBe(false);
      expect(await quick(native.openNetns(fifoInRun))).toBeNull();
      const fd = await quick(native.openNetns(path));
      closeSync(fd!);
      // Loopback only; a port taken by someone else still answers at once (EADDRINUSE).
      const sock = await quick(native.bindSocket("tcp", "127.0.0.1", 0x7000 + Math.floor(Math.random() * 0x800), null).catch((e: { code?: string }) => (e.code === "EADDRINUSE" ? -1 : Promise.reject(e))));
      if (sock >= 0) native.closeFd(sock);
      // A netlink socket inside the namespace, opened on this thread, which then is back home.
      const home = readlinkSync("/proc/thread-self/ns/net");
      const nl = await quick(native.openNetlink(native.NETLINK_ROUTE, path));
      try {
        const dump = Buffer.alloc(32);
        dump.writeUInt32LE(32, 0);
        dump.writeUInt16LE(18, 4);
        dump.writeUInt16LE(0x301, 6);
        // Inline: the pool is blocked. A new namespace's dump fits in what sendto answers.
        const replies = native.transactInline(nl, dump);
        expect(Array.isArray(replies)).toBe(true);
        expect((replies as Buffer[]).some((d) => d.includes(Buffer.from("lo\0")))).toBe(true);
        expect(readlinkSync("/proc/thread-self/ns/net")).toBe(home);
      } finally {
        native.closeNetlink(nl);
      }
      // Sysctls are read and written on this thread too, in the right namespace: the test
      // namespace's value changes, the process's own does not.
      const key = "/proc/sys/net/ipv4/conf/lo/forwarding";
      const own = await quick(native.readFileInNetns(null, key));
      const flipped = own.trim() === "1" ? "0" : "1";
      await quick(native.writeFileInNetns(path, key, flipped));
      expect((await quick(native.readFileInNetns(path, key))).trim()).toBe(flipped);
      expect(await quick(native.readFileInNetns(null, key))).toBe(own);
      expect(readlinkSync("/proc/thread-self/ns/net")).toBe(home);
      await expect(quick(native.readFileInNetns(path, "/proc/sys/net/ipv4/conf/nope0/forwarding"))).rejects.toMatchObject({ code: "ENOENT" });
      await expect(quick(native.openNetlink(native.NETLINK_ROUTE, fifoInRun))).rejects.toMatchObject({ syscall: `setns ${fifoInRun}` });
      expect(readlinkSync("/proc/thread-self/ns/net")).toBe(home);
      // Elsewhere (here /tmp, which could be a slow filesystem) the pool is used.
      await expect(quick(native.isNetns(join(dir, "x")))).rejects.toThrow("waited for the pool");
      await expect(quick(native.readFileInNetns(null, join(dir, "x")))).rejects.toThrow("waited for the pool");
    } finally {
      // A writer's open releases the blocked readers.
      closeSync(openSync(blocker, "w"));
      for (const h of await Promise.all(stuck)) await h.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(fifoInRun, { force: true });
    }
  });
});
