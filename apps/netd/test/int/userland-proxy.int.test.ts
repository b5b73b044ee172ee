// The real netd with its userland proxy (netd-proxy, on by default): a host-local flow to a
// published port (127.0.0.1 → container, which only the proxy serves) keeps working across
// kill -9 of netd and its restart; a killed proxy is started again and the port works;
// /metrics reports it. The stray check of @netd/testing proves no proxy outlives the test.
import { describe, expect, it, afterEach } from "vitest";
import { findStrays, netnsInodes, useTestEnv } from "@netd/testing";
import { echoServerArgv, makeNetdWorld, replies, streamingClientArgv, waitFor } from "../support/netd-world.js";
import type { NetdWorld } from "../support/netd-world.js";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("netd with the userland proxy process", () => {
  const env = useTestEnv("netd-proxy");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });

  it("keeps a proxied flow across kill -9 of netd, restarts a killed proxy and reports it in /metrics", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start();
    await w.ok(["network", "create", "--subnet", "10.232.0.0/24", "pxnet"]);
    const run = await w.spawnCli(["run", "--name", "pxweb", "--network", "pxnet", "-p", "8090:80", "--", ...echoServerArgv("px")]);
    await w.adoptSandbox("pxweb");
    await waitFor("the server", () => run.output().includes("listening"), () => run.output());
    const proxies = () => findStrays(netnsInodes([w.host.name]));
    expect(proxies()).toHaveLength(1);
    const flow = await env().spawnIn(w.host, streamingClientArgv("127.0.0.1", 8090));
    await waitFor("the proxied flow", () => replies(flow, "px") >= 3, () => flow.output());

    const pid = w.daemon!.pid;
    process.kill(pid, "SIGKILL");
    await waitFor(`netd (pid ${pid}) to exit`, () => !alive(pid), () => w.daemon!.output());
    const down = replies(flow, "px");
    await waitFor("the flow while netd is down", () => replies(flow, "px") >= down + 3, () => flow.output());
    await w.start();
    const up = replies(flow, "px");
    await waitFor("the flow after the restart", () => replies(flow, "px") >= up + 3, () => flow.output());
    expect(proxies()).toHaveLength(1);
    const metrics = (await w.http("GET", "/metrics")).text;
    expect(metrics).toMatch(/^netd_proxy_up 1$/m);
    expect(metrics).toMatch(/^netd_proxy_active_connections\{protocol="tcp",host_ip="0\.0\.0\.0",host_port="8090"\} 1$/m);

    const [proxy] = proxies();
    process.kill(proxy!.pid, "SIGKILL");
    await waitFor("the port after the proxy was killed", () => env().canReach(w.host, { proto: "tcp", address: "127.0.0.1", port: 8090, timeoutMs: 500 }), () => w.daemon!.output(), 5000);
    expect(await env().sendAndReceive(w.host, { proto: "tcp", address: "127.0.0.1", port: 8090, payload: "again" })).toBe("px:again");
    expect((await w.http("GET", "/metrics")).text).toMatch(/^netd_proxy_restarts 1$/m);
    expect(flow.output()).toMatch(/CLOSED|ERR/); // the killed proxy took that flow with it

    await run.stop();
    await w.ok(["sandbox", "rm", "pxweb"]);
    await w.ok(["network", "rm", "pxnet"]);
  });
});
