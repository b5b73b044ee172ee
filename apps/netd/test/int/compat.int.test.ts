// What a Docker user meets in the first hour (issue 16), through the real clients: netd's CLI,
// the docker CLI and the Python Docker SDK (Debian's python3-docker), against the real daemon
// in a test namespace.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import type { ExecResult } from "@netd/testing";
import { MAIN, jsonLines, makeNetdWorld, sleep } from "../support/netd-world.js";
import type { NetdWorld, SandboxJson } from "../support/netd-world.js";

function onPath(name: string): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) if (dir && existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`${name} is not installed; scripts/bootstrap.sh installs it`);
}

describe("Docker compatibility and CLI polish", () => {
  const env = useTestEnv("netd-compat");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });

  // Many CLI round trips, each a node start: generous on a loaded machine.
  it("netd CLI: default network, boolean flags, --format templates, name order, until=24h, risky subnets, -p on a foreign address, -D codes", { timeout: 300_000 }, async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    // Item 5: the default network exists at start, and cannot be removed or pruned.
    expect((await w.ok(["network", "inspect", "-f", "{{.Name}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{index .Options \"com.docker.network.bridge.name\"}}", "bridge"])).trim()).toBe("bridge bridge 172.17.0.0/16 172.17.0.1 netd0");
    const rmBridge = await w.cli(["-D", "network", "rm", "bridge"]);
    expect(rmBridge.code).toBe(1);
    expect(rmBridge.stderr).toMatch(/bridge is a pre-defined network and cannot be removed.*\(code NETWORK_PREDEFINED\)/);
    expect((await w.http("DELETE", "/networks/bridge")).status).toBe(403);

    // Item 2: --x=false for every boolean flag.
    await w.ok(["network", "create", "--ipv6=false", "--internal=false", "--subnet", "10.240.10.0/24", "b10"]);
    await w.ok(["network", "create", "--ipv6=true", "--internal=true", "--subnet", "10.240.9.0/24", "--label", "k=v", "b9"]);
    await w.ok(["network", "create", "--ipv4=false", "--ipv6", "--subnet", "fd00:240::/64", "a1"]);
    expect((await w.ok(["network", "inspect", "-f", "{{.EnableIPv4}} {{.EnableIPv6}} {{.Internal}}", "b10", "b9", "a1"])).trim().split("\n")).toEqual(["true false false", "true true true", "false true false"]);

    // Item 6: ls sorts by name; json is one summary per line; templates; inspect --format.
    const rows = jsonLines<Record<string, string>>(await w.ok(["network", "ls", "--format", "json"]));
    expect(rows.map((r) => r.Name)).toEqual(["a1", "b9", "b10", "bridge"]);
    expect(rows[1]).toMatchObject({ Name: "b9", Driver: "bridge", Scope: "local", IPv6: "true", Internal: "true", Labels: "k=v" });
    expect(rows[1]!.ID).toMatch(/^[0-9a-f]{12}$/);
    expect(await w.ok(["network", "ls", "--format", "{{.Name}}\\t{{.Driver}}"])).toBe("a1\tbridge\nb9\tbridge\nb10\tbridge\nbridge\tbridge\n");
    expect(JSON.parse(await w.ok(["network", "inspect", "--format", "{{json .Labels}}", "b9"]))).toEqual({ k: "v" });
    await w.ok(["sandbox", "create", "--name", "s1", "--network", "b9"]);
    await w.adoptSandbox("s1");
    expect((await w.ok(["sandbox", "inspect", "-f", "{{.Name}} {{range $n, $e := .Networks}}{{$n}}={{$e.IPAddress}}{{end}}", "s1"])).trim()).toBe("s1 b9=10.240.9.2");
    const badTemplate = await w.cli(["network", "ls", "--format", "{{.Name"]);
    expect(badTemplate.code).toBe(1);
    expect(badTemplate.stderr).toMatch(/invalid --format '\{\{\.Name': unclosed action/);

    // Item 3: Go durations in prune's until (a network younger than 24h stays).
    expect(await w.ok(["network", "prune", "-f", "--filter", "until=24h"])).toBe("");
    const pruned = (await w.ok(["network", "prune", "-f", "--filter", "until=0s"])).trim().split("\n");
    expect(pruned[0]).toBe("Deleted Networks:");
    expect(pruned.slice(1).sort()).toEqual(["a1", "b10"]);

    // Item 8: reserved ranges and the host's on-link routes are refused; -p on a foreign address is a 400, said once.
    const refusals: Array<[string, RegExp]> = [
      ["127.0.0.0/24", /subnet 127\.0\.0\.0\/24 overlaps loopback \(127\.0\.0\.0\/8\)/],
      ["224.1.0.0/16", /overlaps multicast \(224\.0\.0\.0\/4\)/],
      ["ff05::/64", /overlaps multicast \(ff00::\/8\)/],
      ["198.51.100.0/25", /overlaps the host's route to 198\.51\.100\.0\/24 \(dev up0\)/],
    ];
    for (const [subnet, message] of refusals) {
      const r = await w.cli(["-D", "network", "create", "--subnet", subnet, "risky"]);
      expect(r.code, subnet).toBe(1);
      expect(r.stderr, subnet).toMatch(message);
    }
    // A network without --subnet skips default pools the host routes, as dockerd does: with
    // 172.18.0.0/16 on the host's uplink (and 172.17 the default network's) it gets 172.19.
    const addRoute = await w.host.exec(["ip", "route", "add", "172.18.0.0/16", "dev", "up0"]);
    expect(addRoute.code, addRoute.stderr).toBe(0);
    await w.ok(["network", "create", "auto"]);
    expect((await w.ok(["network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "auto"])).trim()).toBe("172.19.0.0/16");
    await w.ok(["network", "rm", "auto"]);
    const foreign = await w.http("POST", "/sandboxes", { Name: "pub", PortBindings: { "80/tcp": [{ HostIp: "1.2.3.4", HostPort: "8000" }] }, Networks: { b9: {} } });
    expect(foreign.status).toBe(400);
    const body = foreign.body as { message: string; code: string };
    expect(body.code).toBe("INVALID_ARGUMENT");
    expect(body.message).toMatch(/^cannot publish port 80\/tcp on 1\.2\.3\.4: the host has no such address; use one of the host's addresses \(.*198\.51\.100\.1.*\)/);
    expect(body.message.split("1.2.3.4")).toHaveLength(2);
    expect((await w.http("GET", "/sandboxes/pub")).status).toBe(404);
    const cliForeign = await w.cli(["run", "--rm", "-p", "1.2.3.4:8000:80", "--", "true"]);
    expect(cliForeign.code).toBe(125);
    expect(cliForeign.stderr).toMatch(/the host has no such address/);
    await w.ok(["sandbox", "rm", "s1"]);
  });

  // Many CLI round trips, each a node start: generous on a loaded machine.
  it("netd run: the default network, docker's exit codes, the -- hint, --network none, --rm with the daemon gone, cleanup naming live sandboxes", { timeout: 300_000 }, async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    // Without --network the command joins bridge and reaches its gateway (a real packet).
    const ping = await w.cli(["run", "--rm", "--name", "p1", "--", "sh", "-c", "ip -o -4 addr show dev eth0 && ping -c 1 -W 5 172.17.0.1 >/dev/null && echo PONG"]);
    expect(ping.code, ping.stderr).toBe(0);
    expect(ping.stdout).toMatch(/inet 172\.17\.0\.2\/16/);
    expect(ping.stdout).toContain("PONG");

    const codes: Array<[string[], number, RegExp | null]> = [
      [["run", "--rm", "--", "sh", "-c", "exit 3"], 3, null],
      [["run", "--rm", "--", "/nonexistent/cmd"], 127, /No such file or directory/],
      [["run", "--rm", "--", join(w.dataDir, "..", "not-executable")], 126, /Permission denied/],
      [["run", "--rm", "ls", "-l"], 125, /option '-l' follows the command 'ls'; put -- before the command/],
      [["run", "--rm", "--network", "ghost", "--", "true"], 125, /network 'ghost' not found/],
    ];
    writeFileSync(join(w.dataDir, "..", "not-executable"), "echo hi\n");
    chmodSync(join(w.dataDir, "..", "not-executable"), 0o644);
    for (const [args, code, message] of codes) {
      const r = await w.cli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(code);
      if (message) expect(r.stderr, args.join(" ")).toMatch(message);
    }
    const none = await w.cli(["run", "--rm", "--network", "none", "--", "sh", "-c", "ip -o link show | grep -c -v ' lo:' || true"]);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/warning: --network none: the command gets loopback only/);
    expect(none.stdout.trim()).toBe("0");
    expect(jsonLines(await w.ok(["sandbox", "ls", "--format", "json"]))).toEqual([]);

    // Item 9: --rm whose daemon is gone when the command exits: non-zero and how to remove it.
    const pending = w.cli(["run", "--rm", "--name", "gone", "--", "sleep", "12"]);
    const sb = await w.adoptSandbox("gone");
    await sleep(1500); // run enters the namespace right after the API answered
    await w.daemon!.stop();
    const cleanup = await w.host.exec(w.node(["cleanup", "--socket", w.sock, "--data-dir", w.dataDir, "--netns-prefix", `${env().prefix}-`]), { timeoutMs: 30_000 });
    expect(cleanup.code, cleanup.stderr).toBe(0);
    expect(cleanup.stderr).toMatch(/warning: sandbox gone was removed while processes still ran in it \(pids \d+/);
    expect(existsSync(sb.Netns)).toBe(false);
    const run = await pending;
    expect(run.code, run.stderr).toBe(125);
    expect(run.stderr).toMatch(/the command exited 0, but removing sandbox gone failed: .*cannot reach netd.*\nremove it when netd is back: netd sandbox rm gone/);
  });

  // Many CLI round trips, each a node start: generous on a loaded machine.
  it("refuses to start in a private mount namespace (ip netns exec), with the nsenter fix and no stack trace", { timeout: 300_000 }, async () => {
    const w = (world = await makeNetdWorld(env()));
    // host.exec enters the namespace the way `ip netns exec` does: a slave mount namespace.
    const d = await w.host.exec(["env", "-u", "NODE_PATH", "-u", "NODE_ENV", "-u", "VITEST", "node", MAIN, "daemon", "--socket", w.sock, "--data-dir", w.dataDir, "--netns-prefix", `${env().prefix}-`], { timeoutMs: 30_000 });
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/netd: netd runs in a mount namespace of its own \(as 'ip netns exec' sets up\).*nsenter --net=\/run\/netns\/NAME -- netd daemon/);
    expect(d.stdout + d.stderr).not.toMatch(/"stack"|\n\s+at /);
    expect(existsSync(w.sock)).toBe(false);
  });

  // Many CLI round trips, each a node start: generous on a loaded machine.
  it("docker CLI: the default network, prune --filter until=24h, reserved subnets refused with the daemon's message", { timeout: 300_000 }, async () => {
    const docker = onPath("docker");
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    const config = join(w.dataDir, "..", "docker-config");
    mkdirSync(config, { recursive: true });
    const d = (...args: string[]): Promise<ExecResult> => w.host.exec(["env", `DOCKER_HOST=unix://${w.sock}`, `DOCKER_CONFIG=${config}`, docker, ...args], { timeoutMs: 30_000 });
    expect((await d("network", "ls", "--format", "{{.Name}} {{.Driver}}")).stdout.trim()).toBe("bridge bridge");
    expect((await d("network", "create", "--subnet", "10.241.0.0/24", "young")).code).toBe(0);
    const pruned = await d("network", "prune", "-f", "--filter", "until=24h");
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout.trim()).toBe("");
    const rm = await d("network", "rm", "bridge");
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(/Error response from daemon: bridge is a pre-defined network and cannot be removed/);
    const loop = await d("network", "create", "--subnet", "127.0.0.0/24", "lo-net");
    expect(loop.code).toBe(1);
    expect(loop.stderr).toMatch(/Error response from daemon: subnet 127\.0\.0\.0\/24 overlaps loopback/);
    expect((await d("network", "ls", "--format", "{{.Name}}")).stdout.trim().split("\n")).toEqual(["bridge", "young"]);
  });

  // Many CLI round trips, each a node start: generous on a loaded machine.
  it("Python Docker SDK (python3-docker): IPAMPool create, connect, disconnect, inspect, prune", { timeout: 300_000 }, async () => {
    // Debian's package lives in /usr/lib/python3/dist-packages: use Debian's interpreter.
    const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : onPath("python3");
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    await w.ok(["sandbox", "create", "--name", "pyweb"]);
    await w.adoptSandbox("pyweb");
    const script = [
      "import docker, json, sys",
      `c = docker.DockerClient(base_url="unix://${w.sock}", version="1.47")`,
      "pool = docker.types.IPAMPool(subnet='10.242.0.0/24')",
      "ipam = docker.types.IPAMConfig(pool_configs=[pool])",
      "n = c.networks.create('py1', driver='bridge', ipam=ipam, labels={'via': 'sdk'})",
      "n.connect('pyweb', ipv4_address='10.242.0.7', aliases=['www'])",
      "n.reload()",
      "print(json.dumps({'subnet': n.attrs['IPAM']['Config'][0]['Subnet'], 'containers': [v['IPv4Address'] for v in n.attrs['Containers'].values()]}))",
      "n.disconnect('pyweb')",
      "c.networks.create('py2', check_duplicate=True)",
      "print(json.dumps(sorted(c.networks.prune(filters={'label': 'via=sdk'})['NetworksDeleted'])))",
      "print(json.dumps(sorted(x.name for x in c.networks.list())))",
    ].join("\n");
    const r = await w.host.exec([python, "-c", script], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const [created, pruned, left] = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as unknown);
    expect(created).toEqual({ subnet: "10.242.0.0/24", containers: ["10.242.0.7/24"] });
    expect(pruned).toEqual(["py1"]);
    expect(left).toEqual(["bridge", "py2"]);
    const sb = (JSON.parse(await w.ok(["sandbox", "inspect", "pyweb"])) as SandboxJson[])[0]!;
    expect(sb.Networks).toEqual({});
    await w.ok(["sandbox", "rm", "pyweb"]);
  });
});
