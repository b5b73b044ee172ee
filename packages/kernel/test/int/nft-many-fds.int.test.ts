// Regression: libnftables waits on its socket with select(), so a socket fd >= 1024 aborted
// the whole process once a daemon held that many fds (~250 sandboxes with published ports).
// netlink-native now keeps one context for the process's own namespace, made at load time.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";

const addon = fileURLToPath(new URL("../../../netlink-native/index.js", import.meta.url));

const script = `
import { openSync } from "node:fs";
const n = await import(process.argv[1]);
const fds = [];
for (let i = 0; i < 1500; i++) fds.push(openSync("/dev/null", "r"));
const r = await n.nftRun("add table inet netdfds; list table inet netdfds", { netns: "/proc/self/ns/net" });
console.log(JSON.stringify({ maxFd: fds.at(-1), rc: r.rc, out: r.out.trim() }));
`;

describe("nft with many open fds", () => {
  const env = useTestEnv("kern-fds");

  it("keeps working in the process's own namespace when more than 1024 fds are open", async () => {
    const host = await env().netns("host");
    const res = await host.exec(["prlimit", "--nofile=4096:4096", process.execPath, "--input-type=module", "-e", script, addon]);
    expect(res.stderr).not.toMatch(/FD_SETSIZE/);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout.trim()) as { maxFd: number; rc: number; out: string };
    expect(out.maxFd).toBeGreaterThan(1024);
    expect(out.rc).toBe(0);
    expect(out.out).toMatch(/table inet netdfds/);
  });
});
