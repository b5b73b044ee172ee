import { describe, expect, it } from "vitest";
import { SocketCache } from "./socket-cache.js";

// Opening a socket needs a real namespace: the LRU bound is checked with the host path,
// which is never evicted, and an unknown path, which must fail without being cached.
describe("SocketCache", () => {
  it("does not cache a failed open and refuses use after close", async () => {
    const cache = new SocketCache(1000, 2);
    await expect(cache.get("/run/netns/netd-does-not-exist", 0)).rejects.toMatchObject({ code: "NETNS_NOT_FOUND" });
    expect(cache.size).toBe(0);
    await cache.close();
    await expect(cache.get("/proc/self/ns/net", 0)).rejects.toMatchObject({ code: "KERNEL_CLOSED" });
  });
});
