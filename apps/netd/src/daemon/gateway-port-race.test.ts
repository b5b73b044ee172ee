// C2, deterministically: a connect that moves a sandbox's gateway releases its published host
// port on the old gateway endpoint and takes it again on the new one. Another request must not
// be able to take the port in between. The kernel is paused inside the release phase (at the
// UDP conntrack flush, which runs after the port was let go) while a second sandbox asks for
// the same host port.
import { describe, expect, it } from "vitest";
import type { Kernel } from "@netd/driverapi";
import { createFakeKernel } from "@netd/kernel-fake";
import { createMemoryStore } from "@netd/libnet-core";
import { fakeSocketReserver, observeWorld, openWorld, trackPorts } from "../test-support/fault-world.js";

const net = (name: string, x: number) => ({ name, driver: "bridge", ipam: { ipv4: { subnet: `10.46.${x}.0/24` } } });
const dns = [{ protocol: "udp" as const, containerPort: 53, hostIp: null, hostPortStart: 5353, hostPortEnd: 5353 }];

/** The kernel with a gate on conntrack.delete: while armed, the call waits until `open()`. */
function gatedKernel(inner: Kernel) {
  let armed = false;
  let reached: () => void = () => undefined;
  let release: () => void = () => undefined;
  const atGate = new Promise<void>((r) => (reached = r));
  const opened = new Promise<void>((r) => (release = r));
  const kernel: Kernel = {
    ...inner,
    conntrack: {
      delete: async (...args: Parameters<Kernel["conntrack"]["delete"]>) => {
        if (armed) {
          armed = false;
          reached();
          await opened;
        }
        return inner.conntrack.delete(...args);
      },
    },
  };
  return { kernel, arm: () => void (armed = true), atGate, open: () => release() };
}

describe("a gateway change keeps its released host ports for the sandbox (C2)", () => {
  it.each([["allocator marks only", false], ["reservation sockets", true]])("a concurrent create cannot take the port between release and acquire (%s)", async (_how, sockets) => {
    const fake = createFakeKernel();
    const store = createMemoryStore();
    const ports = trackPorts();
    const gate = gatedKernel(fake);
    const reserving = sockets ? fakeSocketReserver(ports.allocator) : null;
    const c = await openWorld(gate.kernel, store, ports.allocator, reserving?.reserver);
    await c.createNetwork(net("a", 1));
    await c.createNetwork(net("b", 2));
    await c.createNetwork(net("c", 3));
    await c.createSandbox({ name: "s", portBindings: dns });
    await c.connect("a", "s");
    await c.createSandbox({ name: "t", portBindings: dns });

    gate.arm();
    const moving = c.connect("b", "s", { gwPriority: 5 });
    await gate.atGate;
    // The release phase let go of 5353 on a's endpoint; the acquire phase has not run yet.
    const intruder = await c.connect("c", "t").then(
      () => null,
      (e: unknown) => e,
    );
    gate.open();
    const moved = await moving;

    // The intruder is refused with a conflict; the moving sandbox keeps its port on b.
    expect(intruder, "the concurrent connect must be refused").not.toBeNull();
    expect((intruder as { code?: string }).code).toBe("PORT_ALREADY_ALLOCATED");
    const info = await c.endpointInfo(moved.id);
    expect(info.portBindings.map((b) => `${b.hostIp}:${b.hostPort}/${b.protocol}`).sort()).toEqual(["0.0.0.0:5353/udp"]);
    expect(c.getSandbox("s").gateways.gw4).toBe(moved.id);
    // Nothing of the refused connect remains, and the port is held exactly once.
    expect(c.listEndpoints({ sandboxId: c.getSandbox("t").id })).toEqual([]);
    expect(ports.held()).toEqual(["0.0.0.0/udp/5353"]);
    if (reserving) expect([...reserving.bound]).toEqual(["0.0.0.0/udp/5353"]);
    const world = observeWorld(c, fake, store, ports);
    expect(JSON.stringify(world.kernel)).toContain("udp . 5353 : 10.46.2.2 . 53");
    expect(JSON.stringify(world.kernel)).not.toContain("udp . 5353 : 10.46.1.2 . 53");
    await c.close();
  });
});
