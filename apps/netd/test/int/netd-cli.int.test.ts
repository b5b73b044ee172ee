// The real netd binary in a test namespace, driven through its CLI and raw HTTP only:
// dual-stack networks, `netd run -p 8080:80`, reachability on the host's IPv4 and IPv6
// addresses from a remote namespace, connect/disconnect under traffic, inspect, concurrency.
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { HOST4, HOST6, echoServerArgv, jsonLines, makeNetdWorld, replies, sleep, streamingClientArgv, waitFor } from "../support/netd-world.js";
import type { NetdWorld, SandboxJson } from "../support/netd-world.js";

describe("netd end to end (CLI and HTTP)", () => {
  const env = useTestEnv("netd-e2e");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });

  it("runs a server with a published port, reachable on the host's IPv4 and IPv6 addresses; inspect, port, ls", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    const id = (await w.ok(["network", "create", "--ipv6", "--subnet", "10.201.0.0/24", "--subnet", "fd00:201::/64", "--label", "e2e=yes", "front"])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const run = await w.spawnCli(["run", "--rm", "--name", "web", "--network", "front", "-p", "8080:80", "--", ...echoServerArgv("web")]);
    await w.adoptSandbox("web");
    await waitFor("the server in the sandbox", () => run.output().includes("listening"), () => run.output());
    // `run` starts the command only after the sandbox joined its networks: inspect now.
    const sb = (JSON.parse(await w.ok(["sandbox", "inspect", "web"])) as SandboxJson[])[0]!;
    expect(sb.Ports).toEqual({ "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }, { HostIp: "::", HostPort: "8080" }] });
    expect(sb.Networks.front).toMatchObject({ IPAddress: "10.201.0.2", Gateway: "10.201.0.1", GlobalIPv6Address: "fd00:201::2", IPv6Gateway: "fd00:201::1" });
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port: 8080, payload: "v4" })).toBe("web:v4");
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST6, port: 8080, payload: "v6" })).toBe("web:v6");

    expect((await w.ok(["port", "web"])).trim().split("\n")).toEqual(["80/tcp -> 0.0.0.0:8080", "80/tcp -> [::]:8080"]);
    const inspected = JSON.parse(await w.ok(["sandbox", "inspect", "web"])) as SandboxJson[];
    expect(inspected[0]!.Id).toBe(sb.Id);
    const net = (JSON.parse(await w.ok(["network", "inspect", "front"])) as Array<{ Containers: Record<string, { Name: string; IPv4Address: string; IPv6Address: string }> }>)[0]!;
    expect(net.Containers[sb.Id]).toMatchObject({ Name: "web", IPv4Address: "10.201.0.2/24", IPv6Address: "fd00:201::2/64" });
    const ls = await w.ok(["network", "ls", "--filter", "label=e2e=yes"]);
    expect(ls).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\n[0-9a-f]{12}\s+front\s+bridge\s+local\n$/);
    expect(jsonLines(await w.ok(["sandbox", "ls", "--format", "json"]))).toHaveLength(1);

    // --rm: stopping `netd run` stops the server and removes the sandbox and its namespace.
    await run.stop();
    await waitFor("the sandbox to be removed", async () => (await w.http("GET", "/sandboxes/web")).status === 404, () => run.output());
    expect(await env().canReach(w.remote, { proto: "tcp", address: HOST4, port: 8080 })).toBe(false);
    expect((await w.ok(["network", "rm", "front"])).trim()).toBe("front");
  });

  it("serves routed networks (-d routed): the container address is reachable on published ports only, inspect shows no host port", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    await w.ok(["network", "create", "-d", "routed", "--subnet", "10.204.0.0/24", "direct"]);
    // A router on the LAN: the remote reaches the routed subnet through the host.
    await w.remote.exec(["ip", "route", "add", "10.204.0.0/24", "via", HOST4]);
    await w.host.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    const run = await w.spawnCli(["run", "--rm", "--name", "r1", "--network", "direct", "-p", "80", "--", ...echoServerArgv("r1")]);
    await w.adoptSandbox("r1");
    await waitFor("the server in the sandbox", () => run.output().includes("listening"), () => run.output());
    const sb = (JSON.parse(await w.ok(["sandbox", "inspect", "r1"])) as SandboxJson[])[0]!;
    expect(sb.Ports).toEqual({ "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "" }] });
    const addr = sb.Networks.direct!.IPAddress;
    // No host port on a routed network: `port` names the sandbox's own address.
    expect((await w.ok(["port", "r1"])).trim()).toBe(`80/tcp -> ${addr}:80`);
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: addr, port: 80, payload: "x" })).toBe("r1:x");
    expect(await env().canReach(w.remote, { proto: "tcp", address: addr, port: 81 })).toBe(false);
    const ls = await w.ok(["network", "ls", "--filter", "driver=routed"]);
    expect(ls).toMatch(/\sdirect\s+routed\s+local\n$/);
    await run.stop();
    await waitFor("the sandbox to be removed", async () => (await w.http("GET", "/sandboxes/r1")).status === 404, () => run.output());
    expect((await w.ok(["network", "rm", "direct"])).trim()).toBe("direct");
  });

  it("connects and disconnects networks while traffic runs; the published port moves with the gateway", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start(["--userland-proxy=false"]);
    await w.ok(["network", "create", "--ipv6", "--subnet", "10.202.0.0/24", "--subnet", "fd00:202::/64", "a"]);
    await w.ok(["network", "create", "--subnet", "10.203.0.0/24", "b"]);
    const run = await w.spawnCli(["run", "--name", "app", "--network", "a", "-p", "8081:80", "--", ...echoServerArgv("app")]);
    await w.adoptSandbox("app");
    await waitFor("the server", () => run.output().includes("listening"), () => run.output());
    const client = await env().spawnIn(w.remote, streamingClientArgv(HOST4, 8081));
    await waitFor("replies through a", () => replies(client, "app") >= 3, () => client.output());

    // A lower-priority extra network: the gateway (and the established flow) stays on a.
    await w.ok(["network", "connect", "--ip", "10.203.0.50", "--gw-priority", "-1", "--alias", "app-b", "b", "app"]);
    const after = replies(client, "app");
    await waitFor("replies after connect", () => replies(client, "app") >= after + 3, () => client.output());
    const sb = JSON.parse(await w.ok(["sandbox", "inspect", "app"])) as SandboxJson[];
    expect(sb[0]!.Networks.b).toMatchObject({ IPAddress: "10.203.0.50", Gateway: "10.203.0.1" });
    await w.ok(["network", "disconnect", "b", "app"]);
    const afterDisconnect = replies(client, "app");
    await waitFor("replies after disconnect", () => replies(client, "app") >= afterDisconnect + 3, () => client.output());
    expect(client.output()).not.toMatch(/CLOSED|ERR/);

    // Leaving a makes b (connected again) the gateway: new connections reach the port through b.
    await w.ok(["network", "connect", "b", "app"]);
    await w.ok(["network", "disconnect", "a", "app"]);
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port: 8081, payload: "via-b" })).toBe("app:via-b");
    const sb2 = JSON.parse(await w.ok(["sandbox", "inspect", "app"])) as SandboxJson[];
    expect(Object.keys(sb2[0]!.Networks)).toEqual(["b"]);
    await client.stop();
    await run.stop();
    await w.ok(["sandbox", "rm", "app"]);
  });

  // About 30 CLI processes (a node start each): on a loaded 2-core machine that alone nears a minute.
  it("serves concurrent CLI calls and HTTP requests consistently", { timeout: 180_000 }, async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    const names = Array.from({ length: 8 }, (_, i) => `par${i}`);
    const results = await Promise.all(names.map((n, i) => w.cli(["network", "create", "--subnet", `10.210.${i}.0/24`, n])));
    expect(results.map((r) => r.code)).toEqual(names.map(() => 0));
    const sandboxes = await Promise.all(names.map((n) => w.cli(["sandbox", "create", "--name", `sb-${n}`, "--network", n])));
    expect(sandboxes.map((r) => r.code)).toEqual(names.map(() => 0));
    for (const n of names) await w.adoptSandbox(`sb-${n}`);
    const dup = await Promise.all([0, 1, 2].map(() => w.http("POST", "/networks/create", { Name: "same" })));
    expect(dup.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    // Sorted by name as docker sorts it; `bridge` is the default network.
    const list = jsonLines<{ Name: string }>(await w.ok(["network", "ls", "--format", "json"]));
    expect(list.map((n) => n.Name)).toEqual(["bridge", ...names, "same"]);
    const rms = await Promise.all(names.map((n) => w.cli(["sandbox", "rm", `sb-${n}`])));
    expect(rms.map((r) => r.code)).toEqual(names.map(() => 0));
    const pruned = await w.ok(["network", "prune", "-f"]);
    expect(pruned.trim().split("\n").slice(1).sort()).toEqual([...names, "same"].sort());
  });

  it("streams events live as NDJSON, serves metrics and the OpenAPI document on the socket", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    const lines: string[] = [];
    const ended: { promise?: Promise<void> } = {};
    const stream = request({ socketPath: w.sock, path: "/v1.47/events", agent: false }, (res) => {
      ended.promise = new Promise((resolve) => res.on("end", resolve));
      res.setEncoding("utf8");
      let buf = "";
      res.on("data", (c: string) => {
        buf += c;
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
          lines.push(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
    });
    stream.end();
    await sleep(300);
    await w.ok(["network", "create", "--subnet", "10.221.0.0/24", "ev"]);
    await w.ok(["sandbox", "create", "--name", "ev-sb", "--network", "ev", "-p", "8090:80"]);
    await w.adoptSandbox("ev-sb");
    await w.ok(["sandbox", "rm", "ev-sb"]);
    await waitFor("5 events", () => lines.length >= 5, () => lines.join("\n"));
    const events = lines.map((l) => JSON.parse(l) as { Type: string; Action: string; Actor: { Attributes: Record<string, string> } });
    expect(events.map((e) => `${e.Type} ${e.Action}`)).toEqual(["network create", "sandbox create", "network connect", "network disconnect", "sandbox destroy"]);
    expect(events[0]!.Actor.Attributes).toEqual({ name: "ev", type: "bridge" });
    const metrics = await w.http("GET", "/metrics");
    expect(metrics.text).toMatch(/netd_api_requests_total\{op="POST \/sandboxes",status="201"\} 1/);
    // ev and the default network bridge.
    expect(metrics.text).toMatch(/netd_networks\{driver="bridge"\} 2/);
    const doc = await w.http("GET", "/openapi.json");
    expect(Object.keys((doc.body as { paths: object }).paths)).toContain("/networks/{id}/connect");
    // A graceful stop ends open event streams instead of waiting for their clients.
    const daemon = w.daemon!;
    await daemon.stop();
    expect(ended.promise).toBeDefined();
    await ended.promise;
    expect(daemon.output()).toContain('"msg":"netd stopped"');
  });

  it("fails bad input with exit code 1 and the daemon's message, leaving state unchanged", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    await w.ok(["network", "create", "--subnet", "10.220.0.0/24", "n1"]);
    const cases: Array<[string[], RegExp]> = [
      [["network", "create", "n1"], /network with name 'n1' already exists/],
      [["network", "create", "--subnet", "10.220.0.0/16", "n2"], /overlaps/],
      [["network", "create", "--subnet", "10.0.0.300/24", "n3"], /10\.0\.0\.300\/24/],
      [["network", "rm", "ghost"], /network 'ghost' not found/],
      [["sandbox", "create", "-p", "70000:80"], /host port 70000 in '70000:80' is out of range/],
      [["sandbox", "create", "-p", "9000-8000:80"], /inverted/],
      [["network", "connect", "n1", "ghost"], /sandbox 'ghost' not found/],
    ];
    for (const [args, message] of cases) {
      const r = await w.cli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    const bad = await w.http("POST", "/v1.47/networks/create", "{not json");
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(/malformed JSON/);
    expect(jsonLines<{ Name: string }>(await w.ok(["network", "ls", "--format", "json"])).map((n) => n.Name)).toEqual(["bridge", "n1"]);
    expect(jsonLines(await w.ok(["sandbox", "ls", "--format", "json"]))).toHaveLength(0);
    const down = await makeUnreachable(w);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach netd at unix:\/\/\/nonexistent\/netd.sock/);
  });
});

function makeUnreachable(w: NetdWorld) {
  return w.host.exec(w.node(["-H", "unix:///nonexistent/netd.sock", "network", "ls"]));
}
