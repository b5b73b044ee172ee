/**
 * A sandbox shaped like a container's NetworkSettings: `Ports` from the drivers' operational
 * bindings of all its endpoints, `Networks` keyed by network name.
 */
import type { OperationalBinding } from "@netd/driverapi";
import type { Controller, SandboxRecord } from "@netd/libnet-core";
import type { z } from "zod";
import type { SandboxNetwork, SandboxResource } from "../schemas/sandboxes.js";
import { toDockerPorts } from "../port-bindings.js";

type Resource = z.infer<typeof SandboxResource>;

function split(cidr: string | null): [string, number] {
  if (!cidr) return ["", 0];
  const slash = cidr.indexOf("/");
  return slash < 0 ? [cidr, 0] : [cidr.slice(0, slash), Number(cidr.slice(slash + 1))];
}

/** Builds the inspect view; asks each endpoint's driver for its bindings and MAC. */
export async function sandboxView(controller: Controller, sb: SandboxRecord): Promise<Resource> {
  const networks: Record<string, z.infer<typeof SandboxNetwork>> = {};
  const operational: OperationalBinding[] = [];
  for (const ep of controller.listEndpoints({ sandboxId: sb.id })) {
    let mac = ep.mac ?? "";
    try {
      const info = await controller.endpointInfo(ep.id);
      operational.push(...info.portBindings);
      if (info.mac) mac = info.mac;
    } catch {
      // Left or deleted concurrently: show what the store knows.
    }
    let networkName = ep.networkId;
    try {
      networkName = controller.getNetwork(ep.networkId).name;
    } catch {
      // The network vanished concurrently; key by id.
    }
    const [ip4, len4] = split(ep.ipv4);
    const [ip6, len6] = split(ep.ipv6);
    networks[networkName] = {
      NetworkID: ep.networkId,
      EndpointID: ep.id,
      IPAddress: ip4,
      IPPrefixLen: len4,
      Gateway: ep.join?.gateway4 ?? "",
      GlobalIPv6Address: ip6,
      GlobalIPv6PrefixLen: len6,
      IPv6Gateway: ep.join?.gateway6 ?? "",
      MacAddress: mac,
      GwPriority: ep.gwPriority,
      Aliases: [...ep.aliases],
      DriverOpts: { ...ep.options },
    };
  }
  return {
    Id: sb.id,
    Name: sb.name,
    Netns: sb.netns,
    Created: sb.created,
    Labels: { ...sb.labels },
    Ports: toDockerPorts(sb.exposedPorts, sb.portBindings, operational),
    Networks: networks,
  };
}
