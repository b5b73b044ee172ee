/** Request and response shapes of Docker's `/networks` endpoints (API 1.47). */
import { z } from "zod";
import { EndpointConfig, StringMap } from "./common.js";

/** One `IPAM.Config` entry; the family follows from `Subnet`. `null` means absent, as dockerd reads it (the Python SDK's IPAMPool sends nulls). */
export const IpamConfigEntry = z.looseObject({
  Subnet: z.string().nullish(),
  IPRange: z.string().nullish(),
  Gateway: z.string().nullish(),
  AuxiliaryAddresses: StringMap,
});

/**
 * `POST /networks/create`. Docker does not reject unknown fields here (the CLI sends Scope,
 * Attachable, Ingress, ConfigOnly, ConfigFrom…), so neither does netd; the swarm-only
 * ones must be false when given.
 */
export const NetworkCreateBody = z
  .looseObject({
    Name: z.string(),
    Driver: z.string().nullish(),
    Internal: z.boolean().nullish(),
    EnableIPv4: z.boolean().nullish(),
    EnableIPv6: z.boolean().nullish(),
    IPAM: z
      .looseObject({ Driver: z.string().nullish(), Config: z.array(IpamConfigEntry).nullish(), Options: StringMap })
      .nullish(),
    Options: StringMap,
    Labels: StringMap,
    Attachable: z.boolean().nullish(),
    Ingress: z.boolean().nullish(),
    ConfigOnly: z.boolean().nullish(),
  })
  .meta({ id: "NetworkCreateRequest" });
export type NetworkCreateBodyT = z.infer<typeof NetworkCreateBody>;

export const NetworkCreateResponse = z.object({ Id: z.string(), Warning: z.string() }).meta({ id: "NetworkCreateResponse" });

export const NetworkContainer = z.object({
  Name: z.string(),
  EndpointID: z.string(),
  MacAddress: z.string(),
  IPv4Address: z.string(),
  IPv6Address: z.string(),
});

/** Docker's NetworkResource (inspect and list; list leaves `Containers` empty). */
export const NetworkResource = z
  .object({
    Name: z.string(),
    Id: z.string(),
    Created: z.string(),
    Scope: z.literal("local"),
    Driver: z.string(),
    EnableIPv4: z.boolean(),
    EnableIPv6: z.boolean(),
    IPAM: z.object({
      Driver: z.string(),
      Options: z.record(z.string(), z.string()),
      Config: z.array(z.object({ Subnet: z.string(), Gateway: z.string().optional(), IPRange: z.string().optional(), AuxiliaryAddresses: z.record(z.string(), z.string()).optional() })),
    }),
    Internal: z.boolean(),
    Attachable: z.boolean(),
    Ingress: z.boolean(),
    ConfigFrom: z.object({ Network: z.string() }),
    ConfigOnly: z.boolean(),
    Containers: z.record(z.string(), NetworkContainer),
    Options: z.record(z.string(), z.string()),
    Labels: z.record(z.string(), z.string()),
  })
  .meta({ id: "NetworkResource" });

export const NetworkConnectBody = z
  .looseObject({ Container: z.string().min(1), EndpointConfig: EndpointConfig.nullish() })
  .meta({ id: "NetworkConnectRequest" });

export const NetworkDisconnectBody = z
  .looseObject({ Container: z.string().min(1), Force: z.boolean().nullish() })
  .meta({ id: "NetworkDisconnectRequest" });

export const NetworkPruneResponse = z.object({ NetworksDeleted: z.array(z.string()) }).meta({ id: "NetworkPruneResponse" });
