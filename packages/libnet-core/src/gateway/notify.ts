/**
 * The gateway-change fan-out (DESIGN.md §3): one event per sandbox to every driver with an
 * endpoint in it, in two phases across drivers — every driver releases, then every driver
 * acquires — so that a host port freed by one driver can be taken by another.
 */
import type { Driver, DriverContext, EndpointInfo, GatewayChange } from "@netd/driverapi";
import { toSandboxInfo } from "../views.js";
import type { GatewayPair, SandboxRecord } from "../model.js";

/** One driver's share of a sandbox: its endpoints there. */
export interface Participant {
  readonly driver: Driver;
  readonly ctx: DriverContext;
  readonly endpoints: readonly EndpointInfo[];
}

/** A delivery failure, attributed to the driver and phase. */
export interface DeliveryFailure {
  readonly driver: string;
  readonly phase: "release" | "acquire";
  readonly error: unknown;
}

export interface Delivery {
  readonly sandbox: SandboxRecord;
  readonly next: GatewayPair;
  readonly participants: readonly Participant[];
  /**
   * `stop`: the first failure aborts the delivery (join: the caller rolls back).
   * `continue`: every driver is called and every failure collected (leave, rollback, restore).
   */
  readonly onError: "stop" | "continue";
}

/** Fingerprint of what one driver was told, so an identical event is not sent again. */
export function eventKey(pair: GatewayPair, endpoints: readonly EndpointInfo[]): string {
  return JSON.stringify([pair.gw4, pair.gw6, endpoints.map((e) => e.id).sort()]);
}

/**
 * Calls `onGatewayChange` of every participant (drivers without the hook are skipped),
 * release phase first for all, then acquire for all, in driver-name order. Returns the
 * failures; with `onError: "stop"` there is at most one and nothing after it ran.
 */
export async function deliverGatewayChange(d: Delivery): Promise<DeliveryFailure[]> {
  const failures: DeliveryFailure[] = [];
  const ordered = [...d.participants].sort((a, b) => (a.driver.name < b.driver.name ? -1 : a.driver.name > b.driver.name ? 1 : 0));
  for (const phase of ["release", "acquire"] as const) {
    for (const p of ordered) {
      if (!p.driver.onGatewayChange) continue;
      const change: GatewayChange = { phase, sandbox: toSandboxInfo(d.sandbox, p.driver), gw4: d.next.gw4, gw6: d.next.gw6, endpoints: p.endpoints };
      try {
        await p.driver.onGatewayChange(p.ctx, change);
      } catch (error) {
        failures.push({ driver: p.driver.name, phase, error });
        if (d.onError === "stop") return failures;
      }
    }
  }
  return failures;
}
