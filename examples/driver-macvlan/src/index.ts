/**
 * `@netd/driver-macvlan`: an example third-party netd driver. Load it in the daemon's config
 * file (`{ "drivers": ["@netd/driver-macvlan"] }`); the default export is the factory.
 *
 * Be aware:
 * - `-o parent=LINK` names a link in the host namespace; `-o macvlan_mode=` is bridge (default),
 *   private, vepa or passthru (one endpoint per parent);
 * - an `--internal` network without parent gets its own parent: a veth pair `mvi…`/`mvp…` in
 *   the host namespace with nothing attached (Docker uses a dummy link; this needs no `dummy`
 *   module), so its containers reach each other and nothing else;
 * - the host cannot reach its own macvlan children through the parent (a macvlan property);
 * - VLAN sub-interfaces (`parent=eth0.10`) are not created: pass an existing link.
 */
import { createMacvlanDriver } from "./driver.js";

export { createMacvlanDriver } from "./driver.js";
export type { MacvlanDriverOptions } from "./driver.js";
export { MACVLAN_MODES, NETWORK_OPTIONS, IFNAME_OPTION } from "./options.js";
export type { MacvlanMode } from "./options.js";
export { macvlanErrorCodes } from "./errors.js";

/** The factory netd's driver loader calls with the options of the config entry. */
export default createMacvlanDriver;
