// Restart and restore of the real netd binary: graceful (SIGTERM) and kill -9 by PID. State,
// addresses and the exact host ports come back; an established TCP flow through a published
// port (userland proxy off) keeps working while netd is down and after it is back; a
// namespace that vanished while netd was down has its endpoints cleaned up.
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { HOST4, HOST6, echoServerArgv, jsonLines, makeNetdWorld, replies, sleep, streamingClientArgv, waitFor } from "../support/netd-world.js";
import type { NetdWorld, SandboxJson } from "../support/netd-world.js";

describe("netd restart and restore", () => {
  const env = useTestEnv("netd-restart");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });

  it("keeps networks, sandboxes, addresses, host ports and established flows across SIGTERM and kill -9", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start(["--userland-proxy=false"]);
    await w.ok(["network", "create", "--ipv6", "--subnet", "10.230.0.0/24", "--subnet", "fd00:230::/64", "front"]);
    await w.ok(["network", "create", "--subnet", "10.231.0.0/24", "back"]);
    const run = await w.spawnCli(["run", "--name", "web", "--network", "front", "--network", "back", "-p", "8080:80", "-p", "81", "--", ...echoServerArgv("web")]);
    await w.adoptSandbox("web");
    await waitFor("the server", () => run.output().includes("listening"), () => run.output());
    const before = (JSON.parse(await w.ok(["sandbox", "inspect", "web"])) as SandboxJson[])[0]!;
    const ephemeral = before.Ports["81/tcp"]?.[0]?.HostPort;
    expect(before.Ports, JSON.stringify(before.Ports)).toHaveProperty("81/tcp");
    expect(Number(ephemeral)).toBeGreaterThan(1024);
    const flow4 = await env().spawnIn(w.remote, streamingClientArgv(HOST4, 8080));
    const flow6 = await env().spawnIn(w.remote, streamingClientArgv(HOST6, 8080));
    await waitFor("both flows", () => replies(flow4, "web") >= 3 && replies(flow6, "web") >= 3, () => flow4.output() + flow6.output());
    const networksBefore = jsonLines(await w.ok(["network", "ls", "--format", "json"]));

    for (const how of ["SIGTERM", "SIGKILL"] as const) {
      const pid = w.daemon!.pid;
      if (how === "SIGTERM") await w.daemon!.stop();
      else process.kill(pid, "SIGKILL");
      await waitFor(`netd (pid ${pid}) to exit after ${how}`, () => !alive(pid), () => w.daemon!.output());
      // netd is down: the kernel keeps forwarding the established flows.
      const down4 = replies(flow4, "web");
      const down6 = replies(flow6, "web");
      await waitFor(`flows while netd is down (${how})`, () => replies(flow4, "web") >= down4 + 3 && replies(flow6, "web") >= down6 + 3, () => flow4.output() + flow6.output());
      await w.start(["--userland-proxy=false"]);
      const after = (JSON.parse(await w.ok(["sandbox", "inspect", "web"])) as SandboxJson[])[0]!;
      expect(after, `sandbox after ${how}`).toEqual(before);
      expect(jsonLines(await w.ok(["network", "ls", "--format", "json"])), `networks after ${how}`).toEqual(networksBefore);
      expect(w.daemon!.output()).toMatch(/restored 3 networks, 1 sandboxes, \d+ published ports in \d+ ms/);
      const up4 = replies(flow4, "web");
      await waitFor(`flows after restart (${how})`, () => replies(flow4, "web") >= up4 + 3, () => flow4.output());
      expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port: 8080, payload: `new4-${how}` })).toBe(`web:new4-${how}`);
      expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST6, port: 8080, payload: `new6-${how}` })).toBe(`web:new6-${how}`);
    }
    expect(flow4.output() + flow6.output()).not.toMatch(/CLOSED|ERR/);

    // After the restarts the restored state is fully operational: disconnect, delete, remove.
    await w.ok(["network", "disconnect", "back", "web"]);
    await flow4.stop();
    await flow6.stop();
    await run.stop();
    await w.ok(["sandbox", "rm", "web"]);
    expect(await env().canReach(w.remote, { proto: "tcp", address: HOST4, port: 8080 })).toBe(false);
    await w.ok(["network", "rm", "front", "back"]);
  });

  it("removes the endpoints of a namespace that vanished while netd was down", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    await w.ok(["network", "create", "--subnet", "10.232.0.0/24", "n1"]);
    const ext = await env().netns("ext");
    const keep = await env().netns("keep");
    await w.ok(["sandbox", "create", "--name", "gone", "--netns", ext.path, "--network", "n1"]);
    await w.ok(["sandbox", "create", "--name", "stays", "--netns", keep.path, "--network", "n1"]);
    expect((await netdVeths(w))).toBe(2);
    await w.daemon!.stop();
    const del = await w.remote.exec(["nsenter", `--mount=/proc/${process.pid}/ns/mnt`, "--", "ip", "netns", "del", ext.name]);
    expect(del.code, del.stderr).toBe(0);
    await w.start();
    const sandboxes = jsonLines<SandboxJson>(await w.ok(["sandbox", "ls", "--format", "json"]));
    expect(sandboxes.map((s) => s.Name)).toEqual(["stays"]);
    const net = (JSON.parse(await w.ok(["network", "inspect", "n1"])) as Array<{ Containers: Record<string, { Name: string }> }>)[0]!;
    expect(Object.values(net.Containers).map((c) => c.Name)).toEqual(["stays"]);
    await sleep(200);
    expect((await netdVeths(w))).toBe(1);
    await w.ok(["sandbox", "rm", "stays"]);
    await w.ok(["network", "rm", "n1"]);
    expect(await netdVeths(w)).toBe(0);
  });

  it("removes a sandbox namespace that a kill -9 left half deleted (unmounted, its file kept)", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    await w.ok(["network", "create", "--subnet", "10.233.0.0/24", "n1"]);
    await w.ok(["sandbox", "create", "--name", "half", "--network", "n1"]);
    const sb = await w.adoptSandbox("half");
    const pid = w.daemon!.pid;
    process.kill(pid, "SIGKILL");
    await waitFor(`netd (pid ${pid}) to exit after SIGKILL`, () => !alive(pid), () => w.daemon!.output());
    // What a sandbox delete killed between the namespace's unmount and its unlink leaves.
    const umount = await w.remote.exec(["nsenter", `--mount=/proc/${process.pid}/ns/mnt`, "--", "umount", sb.Netns]);
    expect(umount.code, umount.stderr).toBe(0);
    expect(existsSync(sb.Netns)).toBe(true);
    await w.start();
    expect(jsonLines<SandboxJson>(await w.ok(["sandbox", "ls", "--format", "json"]))).toEqual([]);
    expect(existsSync(sb.Netns)).toBe(false);
    await w.ok(["network", "rm", "n1"]);
    await waitFor("the veth to go with its namespace", async () => (await netdVeths(w)) === 0, () => "");
  });

  it("refuses a second daemon on the same socket or data dir, and cleanup removes everything netd owns", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    await w.ok(["network", "create", "--subnet", "10.233.0.0/24", "n1"]);
    await w.ok(["sandbox", "create", "--name", "s1", "--network", "n1", "-p", "8085:80"]);
    const sb = await w.adoptSandbox("s1");
    const second = await w.host.exec(w.node(["daemon", "--socket", w.sock, "--data-dir", `${w.dataDir}-other`]), { timeoutMs: 20_000 });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another process is listening on/);
    await w.daemon!.stop();
    const cleanup = await w.host.exec(w.node(["cleanup", "--socket", w.sock, "--data-dir", w.dataDir, "--netns-prefix", `${env().prefix}-`]), { timeoutMs: 30_000 });
    expect(cleanup.code, cleanup.stderr + cleanup.stdout).toBe(0);
    expect(await w.host.nftJson(["list", "table", "inet", "netd"])).toBeNull();
    expect(await w.host.ipJson(["link", "show", "type", "bridge"])).toEqual([]);
    expect(await netdVeths(w)).toBe(0);
    expect(existsSync(sb.Netns)).toBe(false);
    await w.start();
    // A fresh start: only the default network, created anew.
    expect(jsonLines<{ Name: string }>(await w.ok(["network", "ls", "--format", "json"])).map((n) => n.Name)).toEqual(["bridge"]);
  });
});

/** veths netd made in the host namespace (up0 is the test's link to remote). */
async function netdVeths(w: NetdWorld): Promise<number> {
  const links = (await w.host.ipJson(["link", "show", "type", "veth"])) as Array<{ ifname: string }>;
  return links.filter((l) => l.ifname !== "up0").length;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
