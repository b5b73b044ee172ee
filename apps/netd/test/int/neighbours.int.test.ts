// Neighbour state (D6): a new sandbox that reuses a departed sandbox's addresses is reachable
// on its published ports at once (the host must not keep the old MAC), for IPv4 and IPv6; and
// after a connect that moves the IPv6 gateway, IPv6 through the new gateway works the moment
// the API returned. Real packets from another namespace; userland proxy off (nft DNAT only).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { HOST4, HOST6, echoServerArgv, makeNetdWorld, waitFor } from "../support/netd-world.js";
import type { NetdWorld, SandboxJson } from "../support/netd-world.js";

const REMOTE6 = "2001:db8:77::2";

describe("neighbour state", () => {
  const env = useTestEnv("netd-neigh");
  let world: NetdWorld | null = null;
  let dir: string | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  /** Creates sandbox `name` on front with fixed addresses and 8080 published, running an echo server. */
  async function serve(w: NetdWorld, name: string): Promise<SandboxJson> {
    const res = await w.http("POST", "/sandboxes", {
      Name: name,
      PortBindings: { "80/tcp": [{ HostPort: "8080" }] },
      Networks: { front: { IPAMConfig: { IPv4Address: "10.237.0.50", IPv6Address: "fd00:237::50" } } },
    });
    expect(res.status, res.text).toBe(201);
    const sb = await w.adoptSandbox(name);
    const server = await env().spawnIn(w.host, ["nsenter", `--net=${sb.Netns}`, "--", ...echoServerArgv(name)]);
    await waitFor(`${name}'s server`, () => server.output().includes("listening"), () => server.output());
    return sb;
  }

  it("a sandbox reusing a departed sandbox's addresses is reachable on its published port at once (IPv4 and IPv6)", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start(["--userland-proxy=false"]);
    await w.ok(["network", "create", "--ipv6", "--subnet", "10.237.0.0/24", "--subnet", "fd00:237::/64", "front"]);
    // Another sandbox keeps the bridge's carrier up: without it, the last port leaving would
    // take the carrier down and the kernel would flush the bridge's neighbours by itself.
    expect((await w.http("POST", "/sandboxes", { Name: "keeper", Networks: { front: {} } })).status).toBe(201);
    await w.adoptSandbox("keeper");
    const a = await serve(w, "a");
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port: 8080, payload: "x4" })).toBe("a:x4");
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST6, port: 8080, payload: "x6" })).toBe("a:x6");
    expect((await w.http("DELETE", "/sandboxes/a")).status).toBe(200);
    const b = await serve(w, "b");
    expect(b.Networks.front!.IPAddress).toBe(a.Networks.front!.IPAddress);
    const t0 = Date.now();
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port: 8080, payload: "y4", timeoutMs: 2000 })).toBe("b:y4");
    expect(await env().sendAndReceive(w.remote, { proto: "tcp", address: HOST6, port: 8080, payload: "y6", timeoutMs: 2000 })).toBe("b:y6");
    console.log(`D6: the reused addresses answered after ${Date.now() - t0} ms (both families)`);
    // The host's neighbour entries name b's MAC, not a's.
    const neigh = (await w.host.ipJson(["neigh", "show"])) as Array<{ dst: string; lladdr?: string }>;
    const macB = ((JSON.parse((await w.host.exec(["nsenter", `--net=${b.Netns}`, "--", "ip", "-j", "link", "show", "eth0"])).stdout) as Array<{ address: string }>)[0]!).address;
    for (const dst of ["10.237.0.50", "fd00:237::50"]) {
      const entry = neigh.find((n) => n.dst === dst);
      if (entry?.lladdr !== undefined) expect(entry.lladdr, `${dst} (a had ${a.Networks.front!.EndpointID.slice(0, 12)})`).toBe(macB);
    }
  });

  it("after a connect that moves the IPv6 gateway, IPv6 through the new gateway works when the API returns", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start(["--userland-proxy=false"]);
    await w.ok(["network", "create", "--ipv6", "--subnet", "10.238.0.0/24", "--subnet", "fd00:238::/64", "front"]);
    await w.ok(["network", "create", "--ipv6", "--subnet", "10.239.0.0/24", "--subnet", "fd00:239::/64", "back"]);
    expect((await w.http("POST", "/sandboxes", { Name: "s", Networks: { front: {} } })).status).toBe(201);
    const sb = await w.adoptSandbox("s");
    const server = await env().startEchoServer(w.remote, { proto: "tcp", address: "::", port: 0, reply: "remote" });
    dir = mkdtempSync(join(tmpdir(), `${env().prefix}-go-`));
    const go = join(dir, "go");
    // Waits for the go file (polled every 2 ms), then connects ONCE and reports how long it took.
    const client = `const fs=require("fs"),net=require("net");console.log("ready");const t=setInterval(()=>{if(!fs.existsSync(${JSON.stringify(go)}))return;clearInterval(t);const t0=Date.now();const s=net.connect({host:${JSON.stringify(REMOTE6)},port:${server.port}});s.setTimeout(5000,()=>{console.log("TIMEOUT");process.exit(1)});s.on("connect",()=>{console.log("CONNECTED "+(Date.now()-t0));s.end("hi")});s.on("data",(d)=>console.log("DATA "+d));s.on("error",(e)=>console.log("ERR "+e.message));},2)`;
    const probe = await env().spawnIn(w.host, ["nsenter", `--net=${sb.Netns}`, "--", "node", "-e", client]);
    await waitFor("the probe", () => probe.output().includes("ready"), () => probe.output());
    const res = await w.http("POST", "/networks/back/connect", { Container: "s", EndpointConfig: { GwPriority: 10 } });
    expect(res.status, res.text).toBe(200);
    writeFileSync(go, "");
    const routes = (await w.host.exec(["nsenter", `--net=${sb.Netns}`, "--", "ip", "-6", "route", "show", "default"])).stdout;
    expect(routes).toContain("via fd00:239::1");
    await waitFor("the probe's answer", () => /DATA|TIMEOUT|ERR/.test(probe.output()), () => probe.output(), 10_000);
    const ms = Number(/CONNECTED (\d+)/.exec(probe.output())?.[1] ?? "NaN");
    console.log(`IPv6 through the new gateway: connected ${ms} ms after the API returned`);
    expect(probe.output()).toContain("DATA remote:hi");
    expect(ms, probe.output()).toBeLessThan(500);
  });
});
