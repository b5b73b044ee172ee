// The kernel layer holds a bounded number of sockets: sandboxes beyond the cap are evicted
// (least recently used first) and transparently reopened, and no namespace fd is kept.
import { readdirSync, readlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { SocketCache } from "../../src/linux/socket-cache.js";

function nsFdsOpen(): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith("net:");
    } catch {
      return false;
    }
  }).length;
}

describe("socket cache bounds", () => {
  const env = useTestEnv("kern-cache");

  it("keeps at most the cap of sockets, reopens evicted ones, and holds no namespace fds", async () => {
    const cache = new SocketCache(5000, 2);
    const names = await Promise.all(["a", "b", "c"].map((n) => env().netns(n)));
    const before = nsFdsOpen();
    for (const ns of names) await cache.get(ns.path, 0);
    expect(cache.size).toBe(2);
    // The first one was evicted; using it again opens a fresh socket that works.
    const again = await cache.get(names[0]!.path, 0);
    expect(again.netns).toBe(names[0]!.path);
    expect(cache.size).toBe(2);
    const fd = await cache.withNsFd(names[1]!.path, (n) => Promise.resolve(n));
    expect(fd).toBeGreaterThan(2);
    expect(nsFdsOpen()).toBe(before);
    await cache.release(names[0]!.path);
    expect(cache.size).toBe(1);
    await cache.close();
  });
});
