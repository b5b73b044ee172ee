/**
 * netd's own `/sandboxes` endpoints. Strict (unknown fields are rejected, naming them): no
 * existing client sends extra fields here, and a typo must not pass silently.
 */
import { z } from "zod";
import { EndpointConfig, StringMap } from "./common.js";

/** Docker's `PortBindings`: "80/tcp" → [{ HostIp, HostPort }] ("" = any; "8000-8010" = a range). */
export const PortBindingsMap = z.record(
  z.string(),
  z.array(z.strictObject({ HostIp: z.string().nullish(), HostPort: z.string().nullish() })).nullable(),
);

/** Docker's `ExposedPorts`: "80/tcp" → {}. */
export const ExposedPortsMap = z.record(z.string(), z.strictObject({}));

export const SandboxCreateBody = z
  .strictObject({
    Name: z.string().nullish(),
    /** Path of an existing network namespace; absent: netd creates one and deletes it with the sandbox. */
    Netns: z.string().nullish(),
    Labels: StringMap,
    PortBindings: PortBindingsMap.nullish(),
    ExposedPorts: ExposedPortsMap.nullish(),
    HostConfig: z
      .strictObject({
        PortBindings: PortBindingsMap.nullish(),
        /** Docker's `--dns`, `--dns-search`, `--dns-option`: see GET /sandboxes/{id}/resolv.conf. */
        Dns: z.array(z.string()).nullish(),
        DnsSearch: z.array(z.string()).nullish(),
        DnsOptions: z.array(z.string()).nullish(),
      })
      .optional(),
    /** Networks to join at creation, by name or id; all or nothing. */
    Networks: z.record(z.string(), EndpointConfig.nullable()).nullish(),
  })
  .meta({ id: "SandboxCreateRequest" });
export type SandboxCreateBodyT = z.infer<typeof SandboxCreateBody>;

export const PortMap = z.record(z.string(), z.array(z.object({ HostIp: z.string(), HostPort: z.string() })).nullable());

/** One entry of a sandbox's `Networks`, shaped like a container's NetworkSettings.Networks. */
export const SandboxNetwork = z.object({
  NetworkID: z.string(),
  EndpointID: z.string(),
  IPAddress: z.string(),
  IPPrefixLen: z.number(),
  Gateway: z.string(),
  GlobalIPv6Address: z.string(),
  GlobalIPv6PrefixLen: z.number(),
  IPv6Gateway: z.string(),
  MacAddress: z.string(),
  GwPriority: z.number(),
  Aliases: z.array(z.string()),
  DriverOpts: z.record(z.string(), z.string()),
});

export const SandboxResource = z
  .object({
    Id: z.string(),
    Name: z.string(),
    Netns: z.string(),
    Created: z.string(),
    Labels: z.record(z.string(), z.string()),
    Ports: PortMap,
    Networks: z.record(z.string(), SandboxNetwork),
  })
  .meta({ id: "SandboxResource" });

export const SandboxDeleteResponse = z.object({ Warnings: z.array(z.string()) });
