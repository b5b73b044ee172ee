import type { AddressesApi, AddressInfo, Cidr, NetnsPath } from "@netd/driverapi";
import { fail } from "./errors.js";
import type { FakeWorld, SyncApi } from "./state.js";
import { checkLinkName, parseCidr } from "./validate.js";

/** Builds the AddressesApi over `world`. Addresses are kept in canonical text (RFC 5952 for IPv6). */
export function createAddresses(world: FakeWorld): SyncApi<AddressesApi> {
  return {
    add(netns: NetnsPath, link: string, address: Cidr, options?: { readonly nodad?: boolean }): void {
      const ns = world.ns(netns);
      world.link(ns, checkLinkName(link));
      const cidr = parseCidr(address);
      if (options !== undefined && options.nodad !== undefined && typeof options.nodad !== "boolean") {
        throw fail("INVALID_ARGUMENT", `nodad must be a boolean, got ${JSON.stringify(options.nodad)}`);
      }
      const ip = cidr.text.slice(0, cidr.text.indexOf("/"));
      const clash = ns.addresses.find((a) => a.link === link && a.address.slice(0, a.address.indexOf("/")) === ip);
      if (clash) {
        throw fail("ADDRESS_EXISTS", `address ${clash.address} is already on '${link}' in ${ns.path}`, `delete ${clash.address} first or pick another address`, { netns: ns.path, link, address: clash.address });
      }
      ns.addresses.push({ link, address: cidr.text, family: cidr.family });
    },

    delete(netns: NetnsPath, link: string, address: Cidr): void {
      const ns = world.ns(netns);
      checkLinkName(link);
      const cidr = parseCidr(address);
      ns.addresses = ns.addresses.filter((a) => !(a.link === link && a.address === cidr.text));
    },

    list(netns: NetnsPath, link?: string): AddressInfo[] {
      const ns = world.ns(netns);
      // Like the Linux implementation: a missing link simply has no addresses.
      if (link !== undefined) checkLinkName(link);
      return ns.addresses
        .filter((a) => link === undefined || a.link === link)
        .filter((a) => !(a.family === 6 && /^fe[89ab]/i.test(a.address)))
        .map((a) => ({ ...a }));
    },
  };
}
