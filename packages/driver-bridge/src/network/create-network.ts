/**
 * createNetwork (reference §4.3): validate everything, then bridge → addresses → sysctls →
 * up → forwarding → firewall, each step pushing its undo; any failure rolls back in reverse
 * and leaves nothing behind.
 */
import type { DriverContext, NetworkInfo } from "@netd/driverapi";
import type { BridgeFirewall, BridgeNetworkConfig } from "../model.js";
import { parseNetworkConfig } from "../options.js";
import type { DriverState } from "../state.js";
import { UndoStack } from "@netd/driverapi";
import { setBridgeAddresses } from "./bridge-addresses.js";
import { setBridgeSysctls } from "./bridge-sysctls.js";
import { bridgeUp, createBridge } from "./create-bridge.js";
import { ensureForwarding } from "./forwarding.js";
import { checkBridgeName } from "./validate-network.js";

/** The kernel steps of a network without the firewall (also used by restore to re-create a lost bridge). */
export async function buildBridge(ctx: DriverContext, config: BridgeNetworkConfig, undo: UndoStack, userlandProxy: boolean, mark: string): Promise<void> {
  await createBridge(ctx, config, undo, mark);
  await setBridgeAddresses(ctx, config);
  await setBridgeSysctls(ctx, config, userlandProxy);
  await bridgeUp(ctx, config);
  await ensureForwarding(ctx, config, undo, userlandProxy);
}

export async function createNetwork(ctx: DriverContext, state: DriverState, firewall: BridgeFirewall, network: NetworkInfo, userlandProxy: boolean): Promise<BridgeNetworkConfig> {
  const config = parseNetworkConfig(network);
  await checkBridgeName(ctx, config, state.networks.values());
  const undo = new UndoStack();
  try {
    await buildBridge(ctx, config, undo, userlandProxy, state.mark);
    await firewall.addNetwork(config);
    undo.push(`firewall of network '${config.name}'`, () => firewall.removeNetwork(config));
    await state.putNetwork(ctx.state, config);
    ctx.log.info("bridge network created", { network: config.name, bridge: config.bridgeName });
    return config;
  } catch (e) {
    for (const f of await undo.rollback()) ctx.log.error("network create rollback step failed", { network: config.name, error: f.message });
    throw e;
  }
}
