/**
 * A two-node "cluster": each node namespace runs its own netd and netd-cni, the pod CIDRs are
 * routed between the nodes as a cluster's route controller would, and pods talk directly. Also
 * a pod on two CNI networks (as Multus does) where gw-priority from each config picks the
 * default route and the published port follows netd's rules.
 */
import { afterEach, describe, expect, it } from "vitest";
import { linkNetns, useTestEnv } from "@netd/testing";
import { makeCniNode, netConf } from "../support/cni-world.js";
import type { CniNode } from "../support/cni-world.js";

// Pod traffic between nodes is routed, not masqueraded, and other nodes may reach pods
// directly: the bridge's nat-unprotected mode without masquerade, as a Kubernetes node wants.
const CLUSTER_OPTIONS = { "com.docker.network.bridge.gateway_mode_ipv4": "nat-unprotected", "com.docker.network.bridge.enable_ip_masquerade": "false" };
const PM = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }] };

describe("netd-cni on several nodes and several networks", () => {
  const env = useTestEnv("cni-multinode");
  const nodes: CniNode[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) {
      await n.stop();
      n.dispose();
    }
  });

  it("a pod on node A reaches a pod on node B directly, and B's published port from outside", async () => {
    const a = await makeCniNode(env(), "nodea");
    const b = await makeCniNode(env(), "nodeb");
    nodes.push(a, b);
    await linkNetns({ ns: a.host, name: "up0", addresses: ["172.30.0.1/24"] }, { ns: b.host, name: "up0", addresses: ["172.30.0.2/24"] });
    const outside = await env().netns("outside");
    await linkNetns({ ns: b.host, name: "up1", addresses: ["172.31.0.1/24"] }, { ns: outside, name: "eth0", addresses: ["172.31.0.2/24"] });
    // The route controller's part: each node routes the other's pod CIDR to it.
    expect((await a.host.exec(["ip", "route", "add", "10.200.2.0/24", "via", "172.30.0.2"])).code).toBe(0);
    expect((await b.host.exec(["ip", "route", "add", "10.200.1.0/24", "via", "172.30.0.1"])).code).toBe(0);
    await Promise.all([a.start(), b.start()]);

    const podA = await env().netns("poda");
    const podB = await env().netns("podb");
    const confA = netConf(a, { name: "pods", subnet: "10.200.1.0/24", options: CLUSTER_OPTIONS });
    const confB = netConf(b, { name: "pods", subnet: "10.200.2.0/24", options: CLUSTER_OPTIONS, runtimeConfig: PM });
    const addA = await a.cni("ADD", { containerId: "pod-a", netns: podA.path, ifname: "eth0" }, confA);
    const addB = await b.cni("ADD", { containerId: "pod-b", netns: podB.path, ifname: "eth0" }, confB);
    expect(addA.json).toMatchObject({ ips: [{ address: "10.200.1.2/24" }] });
    expect(addB.json).toMatchObject({ ips: [{ address: "10.200.2.2/24" }] });

    const server = await env().startEchoServer(podB, { proto: "tcp", address: "0.0.0.0", port: 80, reply: "podb" });
    expect(await env().sendAndReceive(podA, { proto: "tcp", address: "10.200.2.2", port: server.port, payload: "a-to-b" })).toBe("podb:a-to-b");
    expect(await env().sendAndReceive(outside, { proto: "tcp", address: "172.31.0.1", port: 8080, payload: "outside" })).toBe("podb:outside");
    expect(await env().sendAndReceive(a.host, { proto: "tcp", address: "172.30.0.2", port: 8080, payload: "node-a" })).toBe("podb:node-a");

    expect((await b.cni("DEL", { containerId: "pod-b", netns: podB.path, ifname: "eth0" }, confB)).code).toBe(0);
    expect(await env().canReach(outside, { proto: "tcp", address: "172.31.0.1", port: 8080 })).toBe(false);
    expect(await env().canReach(podA, { proto: "tcp", address: "10.200.2.2", port: server.port })).toBe(false);
    expect((await a.cni("DEL", { containerId: "pod-a", netns: podA.path, ifname: "eth0" }, confA)).code).toBe(0);
  }, 120_000);

  it("two networks on one pod: gw-priority from each config picks the default route; the published port keeps working", async () => {
    const n = await makeCniNode(env(), "host");
    nodes.push(n);
    const remote = await env().netns("remote");
    await linkNetns({ ns: n.host, name: "up0", addresses: ["198.51.100.1/24"] }, { ns: remote, name: "eth0", addresses: ["198.51.100.2/24"] });
    await n.start();
    const pod = await env().netns("pod");
    const low = netConf(n, { name: "low", subnet: "10.210.1.0/24", gwPriority: 0, runtimeConfig: PM });
    const high = netConf(n, { name: "high", subnet: "10.210.2.0/24", gwPriority: 10, runtimeConfig: PM });
    const defaultVia = async () => ((await pod.ipJson(["-4", "route", "show", "default"])) as Array<{ gateway?: string }>).map((r) => r.gateway);

    const r1 = await n.cni("ADD", { containerId: "multi", netns: pod.path, ifname: "eth0" }, low);
    expect(r1.json).toMatchObject({ routes: [{ dst: "0.0.0.0/0", gw: "10.210.1.1" }] });
    expect(await defaultVia()).toEqual(["10.210.1.1"]);
    const r2 = await n.cni("ADD", { containerId: "multi", netns: pod.path, ifname: "net1" }, high);
    expect(r2.json).toMatchObject({ interfaces: [{ name: "net1" }], ips: [{ address: "10.210.2.2/24" }], routes: [{ dst: "0.0.0.0/0", gw: "10.210.2.1" }] });
    expect(await defaultVia()).toEqual(["10.210.2.1"]);

    const server = await env().startEchoServer(pod, { proto: "tcp", address: "0.0.0.0", port: 80 });
    expect(await env().sendAndReceive(remote, { proto: "tcp", address: "198.51.100.1", port: 8080, payload: "two-nets" })).toBe("echo:two-nets");
    expect(await env().sendAndReceive(n.host, { proto: "tcp", address: "10.210.1.2", port: server.port, payload: "low" })).toBe("echo:low");

    // A third network asking for other port mappings is refused, and changes nothing.
    const other = await n.cni("ADD", { containerId: "multi", netns: pod.path, ifname: "net2" }, netConf(n, { name: "other", subnet: "10.210.3.0/24", runtimeConfig: { portMappings: [{ hostPort: 9090, containerPort: 90, protocol: "tcp" }] } }));
    expect(other.json).toMatchObject({ code: 101 });
    expect(await pod.ipJson(["link", "show", "net2"]).catch(() => [])).toEqual([]);

    expect((await n.cni("DEL", { containerId: "multi", netns: pod.path, ifname: "net1" }, high)).code).toBe(0);
    expect(await defaultVia()).toEqual(["10.210.1.1"]);
    expect(await env().sendAndReceive(remote, { proto: "tcp", address: "198.51.100.1", port: 8080, payload: "back" })).toBe("echo:back");
    expect((await n.cni("DEL", { containerId: "multi", netns: pod.path, ifname: "eth0" }, low)).code).toBe(0);
    expect(((await n.http("GET", "/sandboxes")).body as unknown[]).length).toBe(0);
  }, 120_000);
});
