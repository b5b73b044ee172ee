/**
 * The README's conformance table, verb by verb: the built netd-cni executable driven as a
 * runtime drives it (clean environment, config on stdin), against the real daemon, with real
 * packets to the pod and through a published port.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { linkNetns, useTestEnv } from "@netd/testing";
import type { TestNetns } from "@netd/testing";
import { makeCniNode, netConf } from "../support/cni-world.js";
import type { CniNode } from "../support/cni-world.js";

const HOST4 = "198.51.100.1";
const REMOTE4 = "198.51.100.2";
const PM = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }] };

describe("netd-cni conformance", () => {
  const env = useTestEnv("cni-conformance");
  let node: CniNode;
  let remote: TestNetns;

  beforeEach(async () => {
    node = await makeCniNode(env());
    remote = await env().netns("remote");
    await linkNetns({ ns: node.host, name: "up0", addresses: [`${HOST4}/24`] }, { ns: remote, name: "eth0", addresses: [`${REMOTE4}/24`] });
    await node.start();
  });
  afterEach(async () => {
    await node.stop();
    node.dispose();
  });

  const sandboxes = async () => ((await node.http("GET", "/sandboxes")).body as unknown[]).length;
  const hostLinks = async () => ((await node.host.ipJson(["link", "show"])) as Array<{ ifname: string }>).map((l) => l.ifname);

  it("VERSION is answered by the executable itself, even with the daemon down", async () => {
    await node.stop();
    const r = await node.cni("VERSION", {}, { cniVersion: "1.0.0" });
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ cniVersion: "1.1.0", supportedVersions: ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] });
  });

  it("ADD → DEL → DEL: a spec result, packets to the pod and through the published port, then nothing left", async () => {
    const pod = await env().netns("pod1");
    const add = await node.cni("ADD", { containerId: "c1", netns: pod.path, ifname: "eth0", args: "IgnoreUnknown=1;K8S_POD_NAME=web" }, netConf(node, { runtimeConfig: PM }));
    expect(add.code, add.stdout).toBe(0);
    const link = ((await pod.ipJson(["link", "show", "eth0"])) as Array<{ address: string }>)[0]!;
    expect(add.json).toEqual({
      cniVersion: "1.0.0",
      interfaces: [{ name: "eth0", mac: link.address, sandbox: pod.path }],
      ips: [{ address: "10.77.0.2/24", gateway: "10.77.0.1", interface: 0 }],
      routes: [{ dst: "0.0.0.0/0", gw: "10.77.0.1" }],
      dns: { nameservers: ["10.77.0.1"] },
    });
    // The nameserver in the result answers the pod's own name (netd's service discovery).
    const dig = await pod.exec(["dig", "+short", "+time=2", "+tries=2", "@10.77.0.1", "cni-c1", "A"]);
    expect(dig.stdout.trim(), dig.stderr).toBe("10.77.0.2");
    const server = await env().startEchoServer(pod, { proto: "tcp", address: "0.0.0.0", port: 80 });
    expect(await env().sendAndReceive(node.host, { proto: "tcp", address: "10.77.0.2", port: server.port, payload: "direct" })).toBe("echo:direct");
    expect(await env().sendAndReceive(remote, { proto: "tcp", address: HOST4, port: 8080, payload: "published" })).toBe("echo:published");
    expect(await env().sendAndReceive(node.host, { proto: "tcp", address: "127.0.0.1", port: 8080, payload: "local" })).toBe("echo:local");

    const del = await node.cni("DEL", { containerId: "c1", netns: pod.path, ifname: "eth0" }, netConf(node, { runtimeConfig: PM }));
    expect(del).toMatchObject({ code: 0, stdout: "" });
    expect(await pod.ipJson(["link", "show", "eth0"]).catch(() => [])).toEqual([]);
    expect((await hostLinks()).filter((n) => n.startsWith("veth"))).toEqual([]);
    expect(await sandboxes()).toBe(0);
    expect(await env().canReach(remote, { proto: "tcp", address: HOST4, port: 8080 })).toBe(false);
    const again = await node.cni("DEL", { containerId: "c1", netns: pod.path, ifname: "eth0" }, netConf(node));
    expect(again).toMatchObject({ code: 0, stdout: "" });
  });

  it("ADD twice returns the same attachment; DEL of an unknown container succeeds", async () => {
    const pod = await env().netns("pod1");
    const e = { containerId: "c1", netns: pod.path, ifname: "eth0" };
    const a = await node.cni("ADD", e, netConf(node));
    const b = await node.cni("ADD", e, netConf(node));
    expect(a.code).toBe(0);
    expect(b.json).toEqual(a.json);
    expect(((await pod.ipJson(["-4", "addr", "show", "eth0"])) as Array<{ addr_info: unknown[] }>)[0]!.addr_info).toHaveLength(1);
    expect(await node.cni("DEL", { containerId: "never-added", netns: "", ifname: "eth0" }, netConf(node))).toMatchObject({ code: 0, stdout: "" });
    expect(await node.cni("DEL", e, netConf(node, { name: "other-net" }))).toMatchObject({ code: 0 });
    expect(await sandboxes()).toBe(1);
  });

  it("bad input gets the spec's error codes and leaves nothing behind", async () => {
    const pod = await env().netns("pod1");
    const e = { containerId: "c1", netns: pod.path, ifname: "eth0" };
    const cases: Array<[string, Parameters<CniNode["cni"]>, number]> = [
      ["not JSON", ["ADD", e, `{"socket": ${JSON.stringify(node.sock)}, nope`], 6],
      ["unsupported version", ["ADD", e, netConf(node, { cniVersion: "9.9.9" })], 1],
      ["CHECK on 0.3.1", ["CHECK", e, netConf(node, { cniVersion: "0.3.1" })], 1],
      ["no container id", ["ADD", { netns: pod.path, ifname: "eth0" }, netConf(node)], 4],
      ["no CNI_NETNS", ["ADD", { containerId: "c1", ifname: "eth0" }, netConf(node)], 4],
      ["unknown CNI_ARGS key", ["ADD", { ...e, args: "FOO=1" }, netConf(node)], 4],
      ["bad subnet", ["ADD", e, netConf(node, { subnet: "10.77.0.0/33" })], 7],
      ["address outside the subnet", ["ADD", { ...e, args: "IP=10.99.0.5" }, netConf(node)], 7],
      ["bad MAC", ["ADD", e, netConf(node, { runtimeConfig: { mac: "zz" } })], 7],
      ["unknown driver", ["ADD", e, netConf(node, { driver: "nosuch" })], 7],
      ["netns that does not exist", ["ADD", { ...e, netns: "/run/netns/does-not-exist" }, netConf(node)], 3],
    ];
    for (const [what, call, code] of cases) {
      const r = await node.cni(...call);
      expect(r.code, what).toBe(1);
      expect(r.json, what).toMatchObject({ code, msg: expect.any(String) as string });
      expect(typeof r.json?.cniVersion, what).toBe("string");
    }
    expect(await sandboxes()).toBe(0);
    // Only the daemon's default network `bridge` (made at its start): no failed ADD left one.
    expect(((await node.http("GET", "/networks")).body as Array<{ Name: string }>).map((n) => n.Name)).toEqual(["bridge"]);
    expect(await pod.ipJson(["link", "show", "eth0"]).catch(() => [])).toEqual([]);
  });

  it("daemon down: ADD says try again later (11), STATUS says not available (50); STATUS up is 0", async () => {
    const pod = await env().netns("pod1");
    expect(await node.cni("STATUS", {}, netConf(node, { cniVersion: "1.1.0" }))).toMatchObject({ code: 0, stdout: "" });
    expect((await node.cni("STATUS", {}, netConf(node, { cniVersion: "1.1.0", driver: "nosuch" }))).json).toMatchObject({ code: 50 });
    await node.stop();
    expect((await node.cni("ADD", { containerId: "c1", netns: pod.path, ifname: "eth0" }, netConf(node))).json).toMatchObject({ code: 11 });
    expect((await node.cni("STATUS", {}, netConf(node, { cniVersion: "1.1.0" }))).json).toMatchObject({ code: 50 });
  });

  it("CHECK passes on a healthy attachment and fails after the link was deleted by hand", async () => {
    const pod = await env().netns("pod1");
    const e = { containerId: "c1", netns: pod.path, ifname: "eth0" };
    const add = await node.cni("ADD", e, netConf(node));
    expect(await node.cni("CHECK", e, netConf(node, { prevResult: add.json }))).toMatchObject({ code: 0, stdout: "" });
    expect((await node.cni("CHECK", { ...e, containerId: "c2" }, netConf(node))).json).toMatchObject({ code: 3 });
    expect((await pod.exec(["ip", "link", "del", "eth0"])).code).toBe(0);
    const bad = await node.cni("CHECK", e, netConf(node, { prevResult: add.json }));
    expect(bad.code).toBe(1);
    expect(bad.json).toMatchObject({ code: 110, msg: expect.stringContaining("eth0 is missing") as string });
    expect(await node.cni("DEL", e, netConf(node))).toMatchObject({ code: 0 });
    expect(await sandboxes()).toBe(0);
  });

  it("GC removes attachments not in cni.dev/valid-attachments and keeps the valid one working", async () => {
    const keep = await env().netns("pod1");
    const drop = await env().netns("pod2");
    await node.cni("ADD", { containerId: "keep", netns: keep.path, ifname: "eth0" }, netConf(node));
    await node.cni("ADD", { containerId: "drop", netns: drop.path, ifname: "eth0" }, netConf(node));
    const resolve = async (name: string) => (await keep.exec(["dig", "+short", "+time=2", "+tries=2", "@10.77.0.1", name, "A"])).stdout.trim();
    expect(await resolve("cni-drop")).toBe("10.77.0.3");
    const gc = await node.cni("GC", {}, netConf(node, { cniVersion: "1.1.0", "cni.dev/valid-attachments": [{ containerID: "keep", ifname: "eth0" }] }));
    expect(gc).toMatchObject({ code: 0, stdout: "" });
    expect(await drop.ipJson(["link", "show", "eth0"]).catch(() => [])).toEqual([]);
    expect(await sandboxes()).toBe(1);
    // The collected pod's name is gone from DNS at once (an empty +short answer is NXDOMAIN; a timeout would print).
    expect([await resolve("cni-drop"), await resolve("cni-keep")]).toEqual(["", "10.77.0.2"]);
    const server = await env().startEchoServer(keep, { proto: "tcp", address: "0.0.0.0", port: 80 });
    expect(await env().sendAndReceive(node.host, { proto: "tcp", address: "10.77.0.2", port: server.port, payload: "kept" })).toBe("echo:kept");
  });

  it("1.1.0 and 0.4.0 results; static IP and MAC from runtimeConfig and CNI_ARGS; prevResult is chained", async () => {
    const p1 = await env().netns("pod1");
    const p2 = await env().netns("pod2");
    const p3 = await env().netns("pod3");
    const r1 = await node.cni("ADD", { containerId: "c1", netns: p1.path, ifname: "eth0" }, netConf(node, { cniVersion: "1.1.0", runtimeConfig: { ips: ["10.77.0.50/24", "10.77.0.50/24"], mac: "02:00:0a:4d:00:32" } }));
    expect(r1.json).toMatchObject({ cniVersion: "1.1.0", interfaces: [{ name: "eth0", mac: "02:00:0a:4d:00:32" }], ips: [{ address: "10.77.0.50/24", interface: 0 }] });
    const r2 = await node.cni("ADD", { containerId: "c2", netns: p2.path, ifname: "net1", args: "IgnoreUnknown=1;IP=10.77.0.60;MAC=02:00:0a:4d:00:3c" }, netConf(node, { cniVersion: "0.4.0" }));
    expect(r2.json).toMatchObject({ cniVersion: "0.4.0", interfaces: [{ name: "net1", mac: "02:00:0a:4d:00:3c" }], ips: [{ version: "4", address: "10.77.0.60/24", gateway: "10.77.0.1", interface: 0 }] });
    const prevResult = { cniVersion: "1.0.0", interfaces: [{ name: "lo0" }], ips: [{ address: "192.0.2.9/32", interface: 0 }], routes: [], dns: { nameservers: ["192.0.2.53"] } };
    const r3 = await node.cni("ADD", { containerId: "c3", netns: p3.path, ifname: "eth0" }, netConf(node, { prevResult }));
    expect(r3.json).toMatchObject({ interfaces: [{ name: "lo0" }, { name: "eth0" }], ips: [{ address: "192.0.2.9/32" }, { address: "10.77.0.2/24", interface: 1 }], dns: { nameservers: ["192.0.2.53", "10.77.0.1"] } });
    expect(await env().sendAndReceive(p1, { proto: "tcp", address: "10.77.0.60", port: (await env().startEchoServer(p2, { proto: "tcp", address: "0.0.0.0", port: 80 })).port, payload: "x" })).toBe("echo:x");
  });

  it("DEL with an empty CNI_NETNS after the namespace is gone (containerd's ctr) cleans up by container id", async () => {
    const pod = await env().netns("pod1");
    await node.cni("ADD", { containerId: "e2e-web", netns: pod.path, ifname: "eth0" }, netConf(node, { runtimeConfig: PM }));
    expect((await hostLinks()).filter((n) => n.startsWith("veth"))).toHaveLength(1);
    expect((await pod.exec(["ip", "netns", "delete", pod.name])).code).toBe(0);
    const del = await node.cni("DEL", { containerId: "e2e-web", netns: "", ifname: "eth0" }, netConf(node, { runtimeConfig: PM }));
    expect(del).toMatchObject({ code: 0, stdout: "" });
    expect(await sandboxes()).toBe(0);
    expect((await hostLinks()).filter((n) => n.startsWith("veth"))).toEqual([]);
    const ruleset = JSON.stringify(await node.host.nftJson(["list", "ruleset"]));
    expect(ruleset).not.toContain("8080");
  });
});
