/** Records libnet-core keeps in memory and in the store. */
import type { ExposedPort, IpamData, JoinResult, NetnsPath, PortBinding } from "@netd/driverapi";

/** A network as stored. */
export interface NetworkRecord {
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly internal: boolean;
  readonly ipv4: IpamData | null;
  readonly ipv6: IpamData | null;
  readonly options: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** ISO time of creation. */
  readonly created: string;
}

/** An endpoint as stored. `sandboxId` is null until it joins. */
export interface EndpointRecord {
  readonly id: string;
  readonly networkId: string;
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  readonly mac: string | null;
  readonly options: Readonly<Record<string, string>>;
  readonly aliases: readonly string[];
  readonly gwPriority: number;
  readonly sandboxId: string | null;
  /** What the driver reported at join; null while not joined. */
  readonly join: JoinResult | null;
}

/** A sandbox as stored. */
export interface SandboxRecord {
  readonly id: string;
  readonly name: string;
  readonly netns: NetnsPath;
  /** True when netd created the namespace and deletes it with the sandbox. */
  readonly netnsOwned: boolean;
  readonly portBindings: readonly PortBinding[];
  readonly exposedPorts: readonly ExposedPort[];
  readonly labels: Readonly<Record<string, string>>;
  /** The gateway ids of the last event delivered for this sandbox. */
  readonly gateways: GatewayPair;
  readonly created: string;
}

/** The IPv4 and IPv6 gateway endpoint ids of a sandbox; null = none for that family. */
export interface GatewayPair {
  readonly gw4: string | null;
  readonly gw6: string | null;
}

export const NO_GATEWAYS: GatewayPair = Object.freeze({ gw4: null, gw6: null });
