/**
 * A complete third-party driver that depends on @netd/driverapi alone: it gives each
 * endpoint a veth whose peer is born in the sandbox, and installs a default route on the
 * endpoint that is the sandbox's IPv4 gateway. No ports, no firewall.
 *
 * Names come from the endpoint id, so `leave` finds the veth from its arguments alone, even
 * after a crash interrupted `join` half-way (the contract's crash-consistency rule).
 */
import { API_VERSION, UndoStack, gatewayRole, invalidArgument } from "@netd/driverapi";
import type { Driver, GatewayChange } from "@netd/driverapi";

const hostName = (endpointId: string) => `dm${endpointId.slice(0, 8)}`;
const ctrName = (endpointId: string) => `dm-${endpointId.slice(0, 6)}`;

export function createDummyDriver(): Driver {
  // The driver's own applied state: which endpoints have our default route.
  const routed = new Set<string>();
  return {
    name: "dummy",
    apiVersion: API_VERSION,
    capabilities: { scope: "local", needsGatewayAddress: true, publishesPorts: false, supportsIPv4: true, supportsIPv6: false },
    createNetwork(_ctx, network) {
      if (Object.keys(network.options).length > 0) {
        return Promise.reject(invalidArgument(`dummy networks take no options, got ${Object.keys(network.options).join(", ")}`, "remove the -o options"));
      }
      return Promise.resolve();
    },
    deleteNetwork: () => Promise.resolve(),
    async join(ctx, network, endpoint, sandbox) {
      const ifname = ctrName(endpoint.id);
      const undo = new UndoStack();
      try {
        await ctx.kernel.links.addVeth(ctx.hostNetns, { name: hostName(endpoint.id), up: true, peer: { name: ifname, netns: sandbox.netns } });
        undo.push("veth", () => ctx.kernel.links.delete(ctx.hostNetns, hostName(endpoint.id)));
        if (endpoint.ipv4) await ctx.kernel.addresses.add(sandbox.netns, ifname, endpoint.ipv4);
        await ctx.kernel.links.set(sandbox.netns, ifname, { up: true });
        undo.commit();
      } catch (e) {
        await undo.rollback();
        throw e;
      }
      return { interfaceName: ifname, gateway4: network.ipv4?.gateway ?? null, gateway6: null };
    },
    async leave(ctx, _network, endpoint) {
      routed.delete(endpoint.id);
      // The peer and its routes go with the host end; deleting a missing link succeeds.
      await ctx.kernel.links.delete(ctx.hostNetns, hostName(endpoint.id));
    },
    async onGatewayChange(ctx, change: GatewayChange) {
      for (const ep of change.endpoints) {
        const isGw = gatewayRole(change, ep.id).gw4;
        if (change.phase === "release" && routed.has(ep.id) && !isGw) {
          await ctx.kernel.routes.delete(change.sandbox.netns, { to: "default", family: 4, dev: ctrName(ep.id) });
          routed.delete(ep.id);
        }
        if (change.phase === "acquire" && isGw && !routed.has(ep.id)) {
          await ctx.kernel.routes.add(change.sandbox.netns, { to: "default", family: 4, dev: ctrName(ep.id) });
          routed.add(ep.id);
        }
      }
    },
  };
}
