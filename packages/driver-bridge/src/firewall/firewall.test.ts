import { nft } from "@netd/driverapi";
import { createFakeKernel, type FakeKernel } from "@netd/kernel-fake";
import { describe, expect, it } from "vitest";
import { endpoint, network } from "../../test/golden/cases.js";
import type { EndpointPorts, PortMapping, PortOpening } from "../model.js";
import { createBridgeFirewall } from "./firewall.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const net = network({ id: "n1", n: 7 });
const a = endpoint(net, 2, "a000000001");
const b = endpoint(net, 3, "b000000001");

function setup(): { kernel: FakeKernel; fw: ReturnType<typeof createBridgeFirewall> } {
  const kernel = createFakeKernel();
  const fw = createBridgeFirewall({ kernel, netns: kernel.hostNetns, table: "netd", userlandProxy: true, log: silent });
  return { kernel, fw };
}

/** Elements per set as the fake kernel holds them. */
async function sets(kernel: FakeKernel): Promise<Record<string, string[]>> {
  const t = (await kernel.nft.listTable(kernel.hostNetns, { family: "inet", name: "netd" })) as { nftables: Array<Record<string, { name: string; elem: string[] }>> } | null;
  const out: Record<string, string[]> = {};
  for (const item of t?.nftables ?? []) {
    const s = item.set ?? item.map;
    if (s && s.elem.length > 0) out[s.name] = [...s.elem].sort();
  }
  return out;
}

const any4 = (hostPort: number, ip: string, port: number): PortMapping => ({ family: 4, protocol: "tcp", hostIp: null, hostPort, containerIp: ip, containerPort: port });
const open4 = (ip: string, port: number): PortOpening => ({ family: 4, protocol: "tcp", containerIp: ip, containerPort: port });
/** Someone else's table text (a test stands in for `nft -f`). */
const tampered = (text: string) => nft(Object.assign([text], { raw: [text] }));
const ports = (mappings: PortMapping[], openings: PortOpening[]): EndpointPorts => ({ mappings, openings });

describe("bridge firewall", () => {
  it("adds a network with one replace and guards an endpoint with one element update", async () => {
    const { kernel, fw } = setup();
    await fw.addNetwork(net);
    await fw.addEndpoint(net, a);
    expect(kernel.callsTo("nft.replaceTable")).toHaveLength(1);
    expect(kernel.callsTo("nft.updateElements")).toHaveLength(1);
    expect((await sets(kernel)).guard4).toEqual(["10.31.7.2 : jump guard__br-g7"]);
    expect((await sets(kernel)).guard6).toEqual(["fd00:31:7::2 : jump guard__br-g7"]);
  });

  it("diffs ports: one transaction, deletes before adds, retarget = delete + add, no-op for identical", async () => {
    const { kernel, fw } = setup();
    await fw.addNetwork(net);
    await fw.addEndpoint(net, a);
    kernel.clearCalls();
    await fw.setEndpointPorts(a.id, ports([any4(8080, a.ipv4!, 80)], [open4(a.ipv4!, 80)]));
    await fw.setEndpointPorts(a.id, ports([any4(8080, a.ipv4!, 80)], [open4(a.ipv4!, 80)]));
    expect(kernel.callsTo("nft.updateElements")).toHaveLength(1);
    await fw.setEndpointPorts(a.id, ports([any4(8080, a.ipv4!, 81)], [open4(a.ipv4!, 81)]));
    const calls = kernel.callsTo("nft.updateElements");
    expect(calls).toHaveLength(2);
    const changes = calls[1]!.args[1] as Array<{ op: string; set: string; elements: string[] }>;
    expect(changes.map((c) => `${c.op} ${c.set} ${c.elements.join("|")}`)).toEqual([
      "delete anyport4 tcp . 8080 : 10.31.7.2 . 80",
      "delete open4 10.31.7.2 . tcp . 80",
      "add anyport4 tcp . 8080 : 10.31.7.2 . 81",
      "add open4 10.31.7.2 . tcp . 81",
    ]);
    expect((await sets(kernel)).anyport4).toEqual(["tcp . 8080 : 10.31.7.2 . 81"]);
  });

  it("refcounts openings shared by several mappings and endpoints", async () => {
    const { kernel, fw } = setup();
    await fw.addNetwork(net);
    await fw.addEndpoint(net, a);
    await fw.addEndpoint(net, b);
    // Two mappings of one endpoint to the same container port: one opening element.
    await fw.setEndpointPorts(a.id, ports([any4(8080, a.ipv4!, 80), any4(8081, a.ipv4!, 80)], [open4(a.ipv4!, 80), open4(a.ipv4!, 80)]));
    // Another endpoint asks for the same opening (refcount 2).
    await fw.setEndpointPorts(b.id, ports([], [open4(a.ipv4!, 80)]));
    await fw.setEndpointPorts(a.id, ports([], []));
    expect((await sets(kernel)).open4).toEqual(["10.31.7.2 . tcp . 80"]);
    expect((await sets(kernel)).anyport4).toBeUndefined();
    kernel.clearCalls();
    await fw.removeEndpoint(net, b);
    const changes = kernel.callsTo("nft.updateElements")[0]!.args[1] as Array<{ op: string; set: string }>;
    expect(changes.map((c) => `${c.op} ${c.set}`).sort()).toEqual(["delete guard4", "delete guard6", "delete open4"]);
    expect((await sets(kernel)).open4).toBeUndefined();
  });

  it("refuses a host port mapped by another endpoint, changing nothing", async () => {
    const { kernel, fw } = setup();
    await fw.addNetwork(net);
    await fw.addEndpoint(net, a);
    await fw.addEndpoint(net, b);
    await fw.setEndpointPorts(a.id, ports([any4(8080, a.ipv4!, 80)], [open4(a.ipv4!, 80)]));
    const before = kernel.snapshot();
    await expect(fw.setEndpointPorts(b.id, ports([any4(8080, b.ipv4!, 80)], [open4(b.ipv4!, 80)]))).rejects.toThrow(/tcp \. 8080.*already mapped/);
    await expect(fw.setEndpointPorts(b.id, ports([any4(8080, b.ipv4!, 80)], [open4(b.ipv4!, 80)]))).rejects.toMatchObject({ code: "PORT_ALREADY_MAPPED", category: "conflict" });
    expect(kernel.snapshot()).toEqual(before);
  });

  it("keeps its recorded state when the kernel refuses, so a retry applies the same diff", async () => {
    const { kernel, fw } = setup();
    await fw.addNetwork(net);
    await fw.addEndpoint(net, a);
    kernel.failNext("nft.updateElements");
    await expect(fw.setEndpointPorts(a.id, ports([any4(8080, a.ipv4!, 80)], [open4(a.ipv4!, 80)]))).rejects.toThrow();
    expect((await sets(kernel)).anyport4).toBeUndefined();
    await fw.setEndpointPorts(a.id, ports([any4(8080, a.ipv4!, 80)], [open4(a.ipv4!, 80)]));
    expect((await sets(kernel)).anyport4).toEqual(["tcp . 8080 : 10.31.7.2 . 80"]);
  });

  it("verify finds nothing to repair in its own table, and re-applies a deleted, emptied or replaced table", async () => {
    const { kernel, fw } = setup();
    const T = { family: "inet" as const, name: "netd" };
    expect(await fw.verify()).toEqual([]);
    await fw.addNetwork(net);
    await fw.addEndpoint(net, a);
    await fw.setEndpointPorts(a.id, ports([any4(8080, a.ipv4!, 80)], [open4(a.ipv4!, 80)]));
    const list = () => kernel.nft.listTable(kernel.hostNetns, T);
    const good = await list();
    const goodBody = kernel.snapshot().namespaces[kernel.hostNetns]!.nft["inet netd"]!.body;
    kernel.clearCalls();
    expect(await fw.verify()).toEqual([]);
    expect(kernel.calls).toEqual([]);

    await kernel.nft.deleteTable(kernel.hostNetns, T);
    expect(await fw.verify()).toEqual(["table inet netd is missing"]);
    expect(await list()).toEqual(good);

    await kernel.nft.updateElements(kernel.hostNetns, [{ op: "delete", table: T, set: "anyport4", elements: [nft`tcp . 8080 : 10.31.7.2 . 80`] }]);
    expect(await fw.verify()).toEqual(["anyport4: 0 elements, expected 1"]);
    expect(await list()).toEqual(good);

    // Same sets, but a chain's rules are gone (as after `nft flush chain`).
    await kernel.nft.replaceTable(kernel.hostNetns, T, tampered(goodBody.replace("\t\tfib daddr type local goto published\n\t}\n\n\tchain nat_output", "\t}\n\n\tchain nat_output")));
    expect((await fw.verify()).join()).toMatch(/chain nat_prerouting:1 missing or changed/);
    expect(await list()).toEqual(good);
  });

  it("refuses ports for an unknown endpoint and ignores empty ones", async () => {
    const { fw } = setup();
    await fw.addNetwork(net);
    await expect(fw.setEndpointPorts("nope", ports([any4(1, "10.31.7.9", 1)], []))).rejects.toThrow(/no endpoint/);
    await fw.setEndpointPorts("nope", ports([], []));
  });

  it("removes the table with the last network and is idempotent", async () => {
    const { kernel, fw } = setup();
    await fw.addNetwork(net);
    await fw.removeNetwork(net);
    await fw.removeNetwork(net);
    expect(await kernel.nft.listTable(kernel.hostNetns, { family: "inet", name: "netd" })).toBeNull();
    expect(kernel.callsTo("nft.deleteTable")).toHaveLength(1);
  });

  it("removing a network forgets endpoints still recorded on it, so no element jumps to a removed chain", async () => {
    const { kernel, fw } = setup();
    const other = network({ id: "n2", n: 8 });
    await fw.addNetwork(net);
    await fw.addNetwork(other);
    await fw.addEndpoint(net, a);
    await fw.setEndpointPorts(a.id, ports([any4(8080, a.ipv4!, 80)], [open4(a.ipv4!, 80)]));
    await fw.removeNetwork(net);
    expect(fw.elements()).toEqual([]);
    const body = kernel.snapshot().namespaces[kernel.hostNetns]!.nft["inet netd"]!.body;
    expect(body).not.toContain("br-g7");
    // The host port is free again for another endpoint.
    const c = endpoint(other, 2, "c000000001");
    await fw.addEndpoint(other, c);
    await fw.setEndpointPorts(c.id, ports([any4(8080, c.ipv4!, 80)], [open4(c.ipv4!, 80)]));
  });

  it("records without applying during restore, then applies everything in one replace", async () => {
    const { kernel, fw } = setup();
    fw.beginRestore();
    fw.load(net, [a]);
    await fw.setEndpointPorts(a.id, ports([any4(8080, a.ipv4!, 80)], [open4(a.ipv4!, 80)]));
    expect(kernel.calls).toHaveLength(0);
    await fw.reconcile();
    expect(kernel.calls.map((c) => c.method)).toEqual(["nft.replaceTable"]);
    expect(await sets(kernel)).toMatchObject({ anyport4: ["tcp . 8080 : 10.31.7.2 . 80"], open4: ["10.31.7.2 . tcp . 80"], guard4: ["10.31.7.2 : jump guard__br-g7"] });
  });
});
