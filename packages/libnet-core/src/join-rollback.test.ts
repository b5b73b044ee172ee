import { describe, expect, it } from "vitest";
import { createFakeKernel } from "@netd/kernel-fake";
import { testBed } from "./test-support/harness.js";
import type { TestBed } from "./test-support/harness.js";

const dual = (name: string, n: number, driver = "bridge") => ({
  name,
  driver,
  enableIPv6: true,
  ipam: { ipv4: { subnet: `10.${n}.0.0/24` }, ipv6: { subnet: `fd00:${n}::/64` } },
});
const binding = [{ protocol: "tcp" as const, containerPort: 80, hostIp: null, hostPortStart: 8080, hostPortEnd: 8080 }];

function observe(bed: TestBed) {
  return {
    store: bed.store.dump(),
    kernel: bed.kernel.snapshot(),
    endpoints: bed.controller.listEndpoints().map((e) => ({ ...e })),
    sandboxes: bed.controller.listSandboxes().map((s) => ({ ...s })),
    hostPorts: [...bed.journal.hostPorts],
  };
}

describe("join rollback", () => {
  it("a driver failing in the acquire phase leaves state, store and kernel exactly as before", async () => {
    let armed = false;
    const bed = await testBed({ failIpvlan: (hook) => armed && hook === "acquire" });
    await bed.controller.createNetwork(dual("a", 1));
    await bed.controller.createNetwork(dual("b", 2, "ipvlan"));
    const sb = await bed.controller.createSandbox({ name: "ctr", portBindings: binding });
    await bed.controller.connect("a", "ctr");
    const ep = await bed.controller.createEndpoint("b", { gwPriority: 10 });
    const before = observe(bed);
    armed = true;
    const err = await bed.controller.join(ep.id, "ctr").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "TEST_FAILURE" });
    expect((err as Error).message).toMatch(/failed to connect sandbox 'ctr' to network 'b': ipvlan: injected failure in acquire/);
    expect(observe(bed)).toEqual(before);
    // The bridge saw the new state (it lost the gateway) and then the old one again.
    const seen = bed.bridge.events.slice(-4).map((e) => `${e.phase}:${e.gw4 === ep.id ? "b" : "a"}`);
    expect(seen).toEqual(["release:b", "acquire:b", "release:a", "acquire:a"]);
    expect(sb.gateways).toEqual({ gw4: null, gw6: null });
    // After the cause is gone the same join succeeds.
    armed = false;
    await bed.controller.join(ep.id, "ctr");
    expect(bed.controller.getSandbox("ctr").gateways.gw4).toBe(ep.id);
  });

  it("TestJoinError: an existing default route makes the gateway's route fail; the join is rolled back", async () => {
    const bed = await testBed();
    await bed.controller.createNetwork({ ...dual("internal", 1), internal: true });
    await bed.controller.createNetwork(dual("extnet", 2));
    const sb = await bed.controller.createSandbox({ name: "ctr" });
    await bed.controller.connect("internal", "ctr");
    const [ep] = bed.controller.listEndpoints({ sandboxId: sb.id });
    // The container has its own default route via its internal interface.
    await bed.kernel.routes.add(sb.netns, { to: "default", family: 4, dev: `e${ep!.id.slice(0, 8)}` });
    const before = observe(bed);
    await expect(bed.controller.connect("extnet", "ctr")).rejects.toMatchObject({ code: "ROUTE_EXISTS" });
    expect(observe(bed)).toEqual(before);
    expect(bed.controller.listEndpoints({ sandboxId: sb.id })).toHaveLength(1);
    await bed.kernel.routes.delete(sb.netns, { to: "default", family: 4, dev: `e${ep!.id.slice(0, 8)}` });
    await bed.controller.connect("extnet", "ctr");
    expect(bed.controller.listEndpoints({ sandboxId: sb.id })).toHaveLength(2);
  });

  it("a failing driver.join or a failing store write changes nothing either", async () => {
    let failJoin = false;
    const bed = await testBed({ failBridge: (hook) => failJoin && hook === "join" });
    await bed.controller.createNetwork(dual("a", 1));
    await bed.controller.createSandbox({ name: "ctr", portBindings: binding });
    const before = observe(bed);
    failJoin = true;
    await expect(bed.controller.connect("a", "ctr")).rejects.toThrow(/injected failure in join/);
    expect(observe(bed)).toEqual(before);
    failJoin = false;
    // A store failure while creating the endpoint releases its addresses and driver state.
    bed.store.failNextApply(new Error("disk full"));
    await expect(bed.controller.createEndpoint("a")).rejects.toThrow(/disk full/);
    expect(observe(bed)).toEqual(before);
    const ep = await bed.controller.createEndpoint("a");
    // The rolled-back create left no trace in IPAM either: the same address is handed out.
    expect(ep.ipv4).toBe("10.1.0.2/24");
    const mid = observe(bed);
    bed.store.failNextApply(new Error("disk full"));
    await expect(bed.controller.join(ep.id, "ctr")).rejects.toThrow(/disk full/);
    expect(observe(bed)).toEqual(mid);
  });
});

describe("leave, sandbox delete and restore", () => {
  it("a leave is best effort: failures are reported and the endpoint is detached", async () => {
    let armed = false;
    const bed = await testBed({ failIpvlan: (hook) => armed && hook === "acquire" });
    await bed.controller.createNetwork(dual("a", 1));
    await bed.controller.createNetwork(dual("b", 2, "ipvlan"));
    await bed.controller.createSandbox({ name: "ctr" });
    await bed.controller.connect("b", "ctr");
    await bed.controller.connect("a", "ctr", { gwPriority: 10 });
    armed = true;
    const res = await bed.controller.disconnect("a", "ctr");
    expect(res.errors).toHaveLength(1);
    expect(String(res.errors[0])).toMatch(/injected failure in acquire/);
    expect(bed.controller.listEndpoints({ networkId: bed.controller.getNetwork("a").id })).toEqual([]);
    expect(bed.controller.getSandbox("ctr").gateways.gw4).not.toBeNull();
  });

  it("deleting a sandbox sends no gateway events and removes everything", async () => {
    const bed = await testBed();
    await bed.controller.createNetwork(dual("a", 1));
    await bed.controller.createNetwork(dual("b", 2));
    const sb = await bed.controller.createSandbox({ name: "ctr", portBindings: binding });
    await bed.controller.connect("a", "ctr");
    await bed.controller.connect("b", "ctr");
    const events = bed.bridge.events.length;
    expect(await bed.controller.deleteSandbox("ctr")).toEqual([]);
    expect(bed.bridge.events.length).toBe(events);
    expect(bed.journal.hostPorts.size).toBe(0);
    expect(bed.controller.listEndpoints()).toEqual([]);
    expect(await bed.kernel.netns.exists(sb.netns)).toBe(false);
    expect(Object.keys(bed.store.dump()).sort()).toEqual(["meta", "network"]);
  });

  it("a sandbox on a caller's namespace leaves the namespace alone, releasing only cached resources", async () => {
    const kernel = createFakeKernel({ netns: ["/run/netns/theirs"] });
    const bed = await testBed({ kernel });
    await bed.controller.createNetwork(dual("a", 1));
    await bed.controller.createSandbox({ name: "ctr", netns: "/run/netns/theirs" });
    await bed.controller.connect("a", "ctr");
    await bed.controller.deleteSandbox("ctr");
    expect(await kernel.netns.exists("/run/netns/theirs")).toBe(true);
    expect(kernel.callsTo("netns.release").map((c) => c.args)).toEqual([["/run/netns/theirs"]]);
    expect(kernel.callsTo("netns.delete")).toEqual([]);
  });

  it("restores from the store and replays the gateway state to the drivers", async () => {
    const first = await testBed();
    await first.controller.createNetwork(dual("a", 1));
    await first.controller.createNetwork(dual("b", 2, "ipvlan"));
    const sb = await first.controller.createSandbox({ name: "ctr" });
    const epA = await first.controller.connect("a", "ctr");
    await first.controller.connect("b", "ctr");
    const second = await testBed({ store: first.store, kernel: first.kernel });
    expect(second.controller.getSandbox("ctr").gateways).toEqual({ gw4: epA.id, gw6: epA.id });
    expect(second.bridge.events.map((e) => `${e.phase}:${e.gw4 === epA.id}`)).toEqual(["release:true", "acquire:true"]);
    expect(second.ipvlan.events).toHaveLength(2);
    // IPAM was restored: the next address is not one already in use.
    const ep = await second.controller.createEndpoint("a");
    expect(ep.ipv4).not.toBe(epA.ipv4);
    expect(sb.id).toBe(second.controller.getSandbox("ctr").id);
  });

  it("keeps the IPv6 ULA prefix of automatic subnets across restarts", async () => {
    const first = await testBed();
    const a = await first.controller.createNetwork({ name: "a", enableIPv6: true });
    // A different random source would draw another /48: the stored one must win.
    const second = await testBed({ store: first.store, kernel: first.kernel, random: () => 0.9 });
    const b = await second.controller.createNetwork({ name: "b", enableIPv6: true });
    expect(a.ipv6!.subnet.split(":").slice(0, 3)).toEqual(b.ipv6!.subnet.split(":").slice(0, 3));
    expect(a.ipv6!.subnet).not.toBe(b.ipv6!.subnet);
  });

  it("drops endpoints of a sandbox whose namespace vanished while netd was down", async () => {
    const first = await testBed();
    await first.controller.createNetwork(dual("a", 1));
    const sb = await first.controller.createSandbox({ name: "ctr" });
    await first.controller.connect("a", "ctr");
    await first.kernel.netns.delete(sb.netns);
    const second = await testBed({ store: first.store, kernel: first.kernel });
    expect(second.controller.listSandboxes()).toEqual([]);
    expect(second.controller.listEndpoints()).toEqual([]);
    await second.controller.deleteNetwork("a");
  });
});

describe("serialization", () => {
  it("serialises joins per sandbox and runs different sandboxes in parallel", async () => {
    const bed = await testBed();
    for (let i = 1; i <= 4; i++) await bed.controller.createNetwork(dual(`n${i}`, i));
    await bed.controller.createSandbox({ name: "s1" });
    await bed.controller.createSandbox({ name: "s2" });
    await Promise.all([bed.controller.connect("n1", "s1"), bed.controller.connect("n2", "s1"), bed.controller.connect("n3", "s2"), bed.controller.connect("n4", "s2")]);
    expect(bed.controller.listEndpoints({ sandboxId: bed.controller.getSandbox("s1").id })).toHaveLength(2);
    expect(bed.controller.getSandbox("s1").gateways.gw4).not.toBeNull();
    await expect(bed.controller.connect("n1", "s1")).rejects.toMatchObject({ code: "ENDPOINT_EXISTS" });
  });
});
