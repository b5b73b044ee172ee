// The docker CLI (DOCKER_HOST=unix://<netd socket>) manages netd's networks with its usual
// commands and output. The test FAILS when no docker client is installed: see
// scripts/bootstrap.sh, which installs the client from Debian's docker.io package.
import { existsSync, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import type { ExecResult } from "@netd/testing";
import { makeNetdWorld } from "../support/netd-world.js";
import type { NetdWorld, SandboxJson } from "../support/netd-world.js";

function findDocker(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "docker");
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error("the docker CLI is not installed (no `docker` on PATH); install the client (scripts/bootstrap.sh does: Debian's docker.io package, client binary only) and run again");
}

describe("docker CLI against netd", () => {
  const env = useTestEnv("netd-docker");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });

  it("runs docker network create/ls/inspect/connect/disconnect/rm/prune with the usual output", async () => {
    const docker = findDocker();
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    const config = join(w.dataDir, "..", "docker-config");
    mkdirSync(config, { recursive: true });
    const d = (...args: string[]): Promise<ExecResult> => w.host.exec(["env", `DOCKER_HOST=unix://${w.sock}`, `DOCKER_CONFIG=${config}`, docker, ...args], { timeoutMs: 30_000 });
    const ok = async (...args: string[]): Promise<string> => {
      const r = await d(...args);
      if (r.code !== 0) throw new Error(`docker ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    };

    const id = (await ok("network", "create", "--ipv6", "--subnet", "10.240.0.0/24", "--subnet", "fd00:240::/64", "--label", "app=demo", "d1")).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ls = await ok("network", "ls");
    expect(ls).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\n/);
    expect(ls).toContain(`${id.slice(0, 12)}   d1        bridge    local`);
    expect((await ok("network", "ls", "--filter", "label=app=demo", "--format", "{{.Name}} {{.Driver}}")).trim()).toBe("d1 bridge");
    const bridgeId = (await ok("network", "inspect", "-f", "{{.Id}}", "bridge")).trim();
    expect((await ok("network", "ls", "-q", "--no-trunc")).trim().split("\n").sort()).toEqual([id, bridgeId].sort());
    const inspect = JSON.parse(await ok("network", "inspect", "d1")) as Array<{ Id: string; EnableIPv6: boolean; IPAM: { Config: Array<{ Subnet: string; Gateway: string }> }; Labels: Record<string, string> }>;
    expect(inspect[0]).toMatchObject({ Id: id, EnableIPv6: true, Labels: { app: "demo" }, IPAM: { Config: [{ Subnet: "10.240.0.0/24", Gateway: "10.240.0.1" }, { Subnet: "fd00:240::/64", Gateway: "fd00:240::1" }] } });
    expect((await ok("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", id.slice(0, 10))).trim()).toBe("10.240.0.0/24 fd00:240::/64");

    await w.ok(["sandbox", "create", "--name", "web"]);
    const sb = await w.adoptSandbox("web");
    await ok("network", "connect", "--ip", "10.240.0.9", "--alias", "www", "d1", "web");
    const joined = (JSON.parse(await w.ok(["sandbox", "inspect", "web"])) as SandboxJson[])[0]!;
    expect(joined.Networks.d1).toMatchObject({ IPAddress: "10.240.0.9", Gateway: "10.240.0.1", GlobalIPv6Address: "fd00:240::2" });
    expect((await ok("network", "inspect", "-f", "{{range $id, $c := .Containers}}{{$id}} {{$c.Name}} {{$c.IPv4Address}}{{end}}", "d1")).trim()).toBe(`${sb.Id} web 10.240.0.9/24`);

    const again = await d("network", "connect", "d1", "web");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Error response from daemon: sandbox 'web' is already connected to network 'd1'/);
    const inUse = await d("network", "rm", "d1");
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/Error response from daemon: .*d1/);
    await ok("network", "disconnect", "d1", "web");
    expect(JSON.parse(await w.ok(["sandbox", "inspect", "web"]))).toMatchObject([{ Networks: {} }]);

    const dup = await d("network", "create", "d1");
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/Error response from daemon: network with name 'd1' already exists/);
    const missing = await d("network", "rm", "nope");
    expect(missing.code).toBe(1);
    // docker 28 shows the daemon's message; docker 20.10 (Debian's docker.io) formats 404s itself.
    expect(missing.stderr).toMatch(/Error response from daemon: network 'nope' not found|Error: No such network: nope/);
    const badSubnet = await d("network", "create", "--subnet", "10.240.0.0/33", "bad");
    expect(badSubnet.code).toBe(1);
    expect(badSubnet.stderr).toMatch(/10\.240\.0\.0\/33/);

    expect((await ok("network", "rm", "d1")).trim()).toBe("d1");
    await ok("network", "create", "d2");
    await ok("network", "create", "d3");
    const pruned = await ok("network", "prune", "-f");
    expect(pruned).toMatch(/^Deleted Networks:\n/);
    expect(pruned.trim().split("\n").slice(1).sort()).toEqual(["d2", "d3"]);
    // The default network stays: docker's prune never removes predefined networks.
    expect((await ok("network", "ls", "-q")).trim()).toBe(bridgeId.slice(0, 12));
    await w.ok(["sandbox", "rm", "web"]);
  });
});
