/** Docker's NetworkResource from libnet-core's records (inspect and list). */
import type { Controller, NetworkRecord } from "@netd/libnet-core";
import type { z } from "zod";
import type { NetworkResource } from "../schemas/networks.js";

type Resource = z.infer<typeof NetworkResource>;

/** Builds the resource; `withContainers` false gives the empty map `GET /networks` shows. */
export function networkView(controller: Controller, n: NetworkRecord, withContainers: boolean): Resource {
  const config: Resource["IPAM"]["Config"] = [];
  for (const fam of [n.ipv4, n.ipv6]) {
    if (!fam) continue;
    config.push({
      Subnet: fam.subnet,
      ...(fam.gateway ? { Gateway: fam.gateway } : {}),
      ...(fam.ipRange ? { IPRange: fam.ipRange } : {}),
      ...(fam.auxAddresses && Object.keys(fam.auxAddresses).length > 0 ? { AuxiliaryAddresses: { ...fam.auxAddresses } } : {}),
    });
  }
  const containers: Resource["Containers"] = {};
  if (withContainers) {
    for (const ep of controller.listEndpoints({ networkId: n.id })) {
      if (ep.sandboxId === null) continue;
      let name = "";
      try {
        name = controller.getSandbox(ep.sandboxId).name;
      } catch {
        // The sandbox is being deleted right now; show the endpoint without a name.
      }
      containers[ep.sandboxId] = { Name: name, EndpointID: ep.id, MacAddress: ep.mac ?? "", IPv4Address: ep.ipv4 ?? "", IPv6Address: ep.ipv6 ?? "" };
    }
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: "local",
    Driver: n.driver,
    EnableIPv4: n.ipv4 !== null,
    EnableIPv6: n.ipv6 !== null,
    IPAM: { Driver: "default", Options: {}, Config: config },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: containers,
    Options: { ...n.options },
    Labels: { ...n.labels },
  };
}
