// Service discovery with real clients nobody here wrote: dig (A, AAAA, PTR, NXDOMAIN, TCP),
// glibc's getent and Python's getaddrinfo, run inside sandboxes netd created; scoping
// between networks; forwarding to a fake upstream in the remote namespace, and a dead one.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { makeNetdWorld, waitFor } from "../support/netd-world.js";
import type { NetdWorld, SandboxJson } from "../support/netd-world.js";

const FAKE_UPSTREAM = join(dirname(fileURLToPath(import.meta.url)), "..", "support", "fake-upstream.mjs");
const ABUSE = join(dirname(fileURLToPath(import.meta.url)), "..", "support", "dns-abuse.py");
const REMOTE4 = "198.51.100.2";

describe("DNS service discovery", () => {
  const env = useTestEnv("dns-int");
  let world: NetdWorld | null = null;
  const etcDirs: string[] = [];
  afterEach(() => {
    for (const d of etcDirs.splice(0)) rmSync(d, { recursive: true, force: true });
    world?.dispose();
    world = null;
  });

  async function start(resolv = "nameserver 192.0.2.250\n"): Promise<NetdWorld> {
    const w = (world = await makeNetdWorld(env()));
    const file = join(w.dataDir, "..", "upstream-resolv.conf");
    writeFileSync(file, resolv);
    await w.start(["--dns-resolv-conf", file]);
    return w;
  }

  async function sandbox(w: NetdWorld, name: string, networks: Record<string, { Aliases?: string[] } | null>): Promise<SandboxJson> {
    const r = await w.http("POST", "/sandboxes", { Name: name, Networks: networks });
    expect(r.status, r.text).toBe(201);
    return w.adoptSandbox(name);
  }

  /** Runs argv in the sandbox's namespace, with the resolv.conf netd recommends for it as /etc/resolv.conf. */
  async function inSandbox(w: NetdWorld, sb: SandboxJson, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const conf = await w.http("GET", `/sandboxes/${sb.Id}/resolv.conf`);
    expect(conf.status).toBe(200);
    // `ip netns exec` bind-mounts /etc/netns/<name>/resolv.conf over /etc/resolv.conf.
    const dir = join("/etc/netns", basename(sb.Netns));
    mkdirSync(dir, { recursive: true });
    etcDirs.push(dir);
    writeFileSync(join(dir, "resolv.conf"), conf.text);
    return w.host.exec(["ip", "netns", "exec", basename(sb.Netns), ...argv], { timeoutMs: 20_000 });
  }

  const v4 = (sb: SandboxJson, net: string) => sb.Networks[net]!.IPAddress;
  const v6 = (sb: SandboxJson, net: string) => sb.Networks[net]!.GlobalIPv6Address;
  const dig = (w: NetdWorld, sb: SandboxJson, args: string[]) => inSandbox(w, sb, ["dig", "+time=2", "+tries=1", ...args]);
  const digShort = async (w: NetdWorld, sb: SandboxJson, args: string[]) => {
    const r = await dig(w, sb, ["+short", ...args]);
    // A timeout or an error status prints nothing to +short's stdout: fail with what dig said instead.
    if (r.code !== 0) throw new Error(`dig ${args.join(" ")} exited ${r.code}: ${r.stdout}${r.stderr}`);
    return r.stdout.trim().split("\n").filter((l) => l.length > 0).sort();
  };
  const status = async (w: NetdWorld, sb: SandboxJson, args: string[]) => /status: (\w+)/.exec((await dig(w, sb, args)).stdout)?.[1];

  it("answers A, AAAA, PTR, NXDOMAIN and NODATA, over UDP and TCP, to dig, getent and getaddrinfo; aliases round-robin; names follow connect/disconnect", async () => {
    const w = await start();
    await w.ok(["network", "create", "--ipv6", "--subnet", "10.231.0.0/24", "--subnet", "fd00:231::/64", "front"]);
    const web = await sandbox(w, "web", { front: { Aliases: ["svc"] } });
    const web2 = await sandbox(w, "web2", { front: { Aliases: ["svc"] } });
    const client = await sandbox(w, "client", { front: null });
    const [web4, web6, web24, web26] = [v4(web, "front"), v6(web, "front"), v4(web2, "front"), v6(web2, "front")];

    const conf = await w.http("GET", "/sandboxes/client/resolv.conf");
    expect(conf.text).toMatch(/^nameserver 10\.231\.0\.1\nnameserver fd00:231::1\n/m);

    expect(await digShort(w, client, ["@10.231.0.1", "web"])).toEqual([web4]);
    expect(await digShort(w, client, ["@fd00:231::1", "web", "AAAA"])).toEqual([web6]);
    expect(await digShort(w, client, ["@10.231.0.1", "+tcp", "web2"])).toEqual([web24]);
    expect(await digShort(w, client, ["@10.231.0.1", "-x", web24])).toEqual(["web2."]);
    expect(await digShort(w, client, ["@10.231.0.1", "-x", web6])).toEqual(["web."]);
    expect(await digShort(w, client, ["@10.231.0.1", "svc"])).toEqual([web4, web24].sort());
    // Round-robin: the order of a shared alias's addresses rotates from one query to the next.
    const firsts = new Set<string>();
    for (let k = 0; k < 4; k++) firsts.add((await dig(w, client, ["+short", "@10.231.0.1", "svc"])).stdout.split("\n")[0]!);
    expect(firsts).toEqual(new Set([web4, web24]));
    expect(await status(w, client, ["@10.231.0.1", "nothere"])).toBe("NXDOMAIN");
    expect(await status(w, client, ["@10.231.0.1", "web", "MX"])).toBe("NOERROR");
    expect(await digShort(w, client, ["@10.231.0.1", "web", "MX"])).toEqual([]);

    const getent = await inSandbox(w, client, ["getent", "hosts", "web"]);
    expect([`${web4}`, `${web6}`]).toContain(getent.stdout.split(/\s+/)[0]);
    expect(getent.stdout).toMatch(/^\S+\s+web\n$/);
    const ahosts = await inSandbox(w, client, ["getent", "ahosts", "svc"]);
    expect(new Set(ahosts.stdout.split("\n").map((l) => l.split(/\s+/)[0]).filter((a) => a))).toEqual(new Set([web4, web24, web6, web26]));
    const py = await inSandbox(w, client, ["/usr/bin/python3", "-c", "import socket; print(sorted({a[4][0] for a in socket.getaddrinfo('web2', 80, socket.AF_INET)}))"]);
    expect(py.stdout.trim()).toBe(`['${web24}']`);

    // Gone the moment disconnect returns; back the moment connect returns.
    await w.ok(["network", "disconnect", "front", "web2"]);
    expect(await digShort(w, client, ["@10.231.0.1", "svc"])).toEqual([web4]);
    expect(await status(w, client, ["@10.231.0.1", "web2"])).toBe("NXDOMAIN");
    await w.ok(["network", "connect", "--alias", "later", "front", "web2"]);
    expect(await digShort(w, client, ["@10.231.0.1", "later"])).toHaveLength(1);

    // An alias that is not a DNS name is refused at connect, naming it.
    const bad = await w.cli(["network", "connect", "--alias", "bad alias!", "front", "web"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/alias "bad alias!" is not a valid DNS name/);
    const badCreate = await w.http("POST", "/sandboxes", { Name: "badalias", Networks: { front: { Aliases: ["-dash"] } } });
    expect(badCreate.status).toBe(400);
    expect(badCreate.text).toMatch(/alias \\"-dash\\" is not a valid DNS name/);
    expect((await w.http("GET", "/sandboxes/badalias")).status).toBe(404);
    // Sandbox create with --dns/--dns-search/--dns-option: Docker's meanings in the recommended file.
    const custom = await w.http("POST", "/sandboxes", { Name: "custom", Networks: { front: null }, HostConfig: { Dns: ["192.0.2.53"], DnsSearch: ["corp.example"], DnsOptions: ["ndots:2"] } });
    expect(custom.status, custom.text).toBe(201);
    await w.adoptSandbox("custom");
    expect((await w.http("GET", "/sandboxes/custom/resolv.conf")).text).toBe("# Generated by netd\nnameserver 192.0.2.53\nsearch corp.example\noptions ndots:2\n");

    // Gone the moment the sandbox's delete returns.
    expect((await w.http("DELETE", "/sandboxes/web2")).status).toBe(200);
    expect(await status(w, client, ["@10.231.0.1", "later"])).toBe("NXDOMAIN");

    // `netd run` shows the command that file as /etc/resolv.conf, so plain names just work.
    const run = await w.cli(["run", "--rm", "--network", "front", "--", "getent", "ahostsv4", "web"]);
    expect(run.stdout, run.stderr).toMatch(new RegExp(`^${web4.replaceAll(".", "\\.")}\\s+STREAM web$`, "m"));
    const runDns = await w.cli(["run", "--rm", "--network", "front", "--dns", "192.0.2.54", "--dns-option", "timeout:1", "--", "cat", "/etc/resolv.conf"]);
    expect(runDns.stdout).toBe("# Generated by netd\nnameserver 192.0.2.54\noptions timeout:1\n");
  });

  it("scopes names to networks: a sandbox on X and Y sees both, one on X only does not see Y's names", async () => {
    const w = await start();
    await w.ok(["network", "create", "--subnet", "10.232.0.0/24", "x"]);
    await w.ok(["network", "create", "--subnet", "10.233.0.0/24", "y"]);
    const a = await sandbox(w, "alpha", { x: null });
    const b = await sandbox(w, "bravo", { y: null });
    const c = await sandbox(w, "charlie", { x: null, y: null });
    expect(await digShort(w, c, ["@10.232.0.1", "alpha"])).toEqual([v4(a, "x")]);
    expect(await digShort(w, c, ["@10.233.0.1", "bravo"])).toEqual([v4(b, "y")]);
    expect(await status(w, a, ["@10.232.0.1", "bravo"])).toBe("NXDOMAIN");
    // Y's server does not answer sources outside Y's subnet at all.
    expect((await dig(w, a, ["@10.233.0.1", "bravo"])).stdout).toMatch(/timed out|no servers could be reached/);
    // Routed networks have the same service; -o com.netd.dns=false has none, and its gateway is not a nameserver.
    await w.ok(["network", "create", "-d", "routed", "--subnet", "10.236.0.0/24", "r"]);
    await w.ok(["network", "create", "-o", "com.netd.dns=false", "--subnet", "10.237.0.0/24", "quiet"]);
    const r = await sandbox(w, "routy", { r: null, quiet: null });
    expect(await digShort(w, r, ["@10.236.0.1", "routy"])).toEqual([v4(r, "r")]);
    expect((await dig(w, r, ["@10.237.0.1", "routy"])).stdout).toMatch(/timed out|connection refused|no servers could be reached/);
    expect((await w.http("GET", "/sandboxes/routy/resolv.conf")).text).toBe("# Generated by netd\nnameserver 10.236.0.1\n");
    // getent in c, with both gateways as nameservers, finds names of both networks.
    expect((await inSandbox(w, c, ["getent", "hosts", "bravo"])).stdout.split(/\s+/).slice(0, 2)).toEqual([v4(b, "y"), "bravo"]);
  });

  it("forwards other names to the upstream from --dns-resolv-conf; internal networks refuse; a dead upstream gives SERVFAIL in bounded time; bad packets do not hurt", async () => {
    const w = await start(`nameserver ${REMOTE4}\n`);
    const upstream = await env().spawnIn(w.remote, ["node", FAKE_UPSTREAM, "192.0.2.7"]);
    await waitFor("the fake upstream", () => upstream.output().includes("listening"), () => upstream.output());
    await w.ok(["network", "create", "--subnet", "10.234.0.0/24", "out"]);
    await w.ok(["network", "create", "--internal", "--subnet", "10.235.0.0/24", "inner"]);
    const s = await sandbox(w, "s", { out: null });
    const i = await sandbox(w, "i", { inner: null });
    expect(await digShort(w, s, ["@10.234.0.1", "example.org"])).toEqual(["192.0.2.7"]);
    expect(await status(w, s, ["@10.234.0.1", "missing.example.org", "AAAA"])).toBe("NXDOMAIN");
    expect(await status(w, i, ["@10.235.0.1", "example.org"])).toBe("REFUSED");
    expect(await digShort(w, i, ["@10.235.0.1", "i"])).toEqual([v4(i, "inner")]);

    // Malformed, oversized, wrong-opcode and response packets, TCP garbage, and floods of
    // local and forwarded queries: FORMERR/NOTIMP no larger than the query, or silence; the server keeps answering.
    const abuse = await inSandbox(w, s, ["/usr/bin/python3", ABUSE, "10.234.0.1", "s"]);
    expect(abuse.code, abuse.stderr).toBe(0);
    const got = JSON.parse(abuse.stdout) as Record<string, { len: number; sent: number; id: number; rcode: number; ancount: number } | boolean | null>;
    const small = (k: string, rcode: number) => {
      const r = got[k] as { len: number; sent: number; rcode: number };
      expect(r, k).not.toBeNull();
      expect(r.rcode, k).toBe(rcode);
      expect(r.len, k).toBeLessThanOrEqual(r.sent);
    };
    small("junk", 1);
    expect(got.junk).toMatchObject({ id: 0x1234 });
    expect(got.short).toBeNull();
    expect(got.zeros).toBeNull();
    expect(got.padded).toBeNull();
    small("two", 1);
    small("opcode", 4);
    expect(got.response).toBeNull();
    small("tcp_junk", 1);
    expect(got.tcp_zero_closed).toBe(true);
    expect(got.after, w.daemon?.output().slice(-3000)).toMatchObject({ id: 0x7777, rcode: 0, ancount: 1 });
    expect(await digShort(w, s, ["@10.234.0.1", "example.org"])).toEqual(["192.0.2.7"]);

    await upstream.stop();
    const started = Date.now();
    expect(await inSandbox(w, s, ["dig", "+time=6", "+tries=1", "@10.234.0.1", "example.net"]).then((r) => /status: (\w+)/.exec(r.stdout)?.[1])).toBe("SERVFAIL");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(w.daemon?.output()).not.toMatch(/uncaught|FATAL/i);
  });

  it("answers that do not fit in UDP are truncated and retried over TCP by dig, glibc and Python; names survive a daemon restart", async () => {
    const w = await start();
    await w.ok(["network", "create", "--ipv6", "--subnet", "10.238.0.0/24", "--subnet", "fd00:238::/64", "big"]);
    // A long shared alias: 10 AAAA answers (28 bytes each) plus the echoed question exceed 512 bytes.
    const alias = ["a".repeat(60), "b".repeat(60), "c".repeat(60), "pool"].join(".");
    const members = await Promise.all(Array.from({ length: 10 }, (_, k) => sandbox(w, `m${k}`, { big: { Aliases: [alias] } })));
    const all6 = members.map((m) => v6(m, "big")).sort();
    const all4 = members.map((m) => v4(m, "big")).sort();
    const client = await sandbox(w, "asker", { big: null });

    const noEdns = await dig(w, client, ["+noedns", "@10.238.0.1", alias, "AAAA"]);
    expect(noEdns.stdout).toMatch(/Truncated, retrying in TCP mode/);
    expect(noEdns.stdout).toMatch(/ANSWER: 10,/);
    expect(noEdns.stdout).toMatch(/SERVER: 10\.238\.0\.1#53\(10\.238\.0\.1\) \(TCP\)/);
    const ahosts = await inSandbox(w, client, ["getent", "ahosts", alias]);
    expect([...new Set(ahosts.stdout.split("\n").map((l) => l.split(/\s+/)[0]).filter((a) => a))].sort()).toEqual([...all4, ...all6].sort());
    const py = await inSandbox(w, client, ["/usr/bin/python3", "-c", `import socket; print(" ".join(sorted({a[4][0] for a in socket.getaddrinfo("${alias}", 80, socket.AF_INET6)})))`]);
    expect(py.stdout.trim(), py.stderr).toBe(all6.join(" "));

    // Restored from the store at start: served again as soon as the daemon answers.
    await w.daemon!.stop();
    await w.start(["--dns-resolv-conf", join(w.dataDir, "..", "upstream-resolv.conf")]);
    expect(await digShort(w, client, ["@10.238.0.1", "m3"])).toEqual([v4(members[3]!, "big")]);
    expect(await digShort(w, client, ["@fd00:238::1", "m3", "AAAA"])).toEqual([v6(members[3]!, "big")]);
  });
});