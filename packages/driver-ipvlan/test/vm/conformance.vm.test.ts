// The contract's conformance suite against the ipvlan driver on a real kernel (the qemu
// guest: Debian's kernel has ipvlan, dummy and 8021q). Each scenario's "host" is a fresh test
// namespace holding two dummy parents; the suite's sandboxes carry the test env's prefix.
import type { Kernel } from "@netd/driverapi";
import { describeDriverConformance } from "@netd/driver-test-suite";
import { createLinuxKernel } from "@netd/kernel";
import { useTestEnv } from "@netd/testing";
import { afterAll } from "vitest";
import { createIpvlanDriver } from "../../src/index.js";

const env = useTestEnv("ipvlan-conformance");
const kernel = createLinuxKernel();
afterAll(() => kernel.close());
let worlds = 0;

const makeWorld = async () => {
  const host = await env().netns(`h${worlds++}`);
  return { kernel, hostNetns: host.path, dispose: () => kernel.netns.delete(host.path) };
};
const netnsPrefix = () => env().prefix;
const parents = async (k: Kernel, host: string) => {
  for (const i of [0, 1]) await k.links.addDummy(host, { name: `cfparent${i}`, up: true });
};

// Rollback and crash-recovery fail or freeze every kernel call of every hook in turn: on the
// fake kernel (test/unit/conformance.test.ts) that is seconds, under emulation here it is many
// minutes. The checks that depend on what a real kernel does run here.
const only = ["contract", "create-delete", "join-leave", "gateway-change", "teardown"] as const;
describeDriverConformance.integration({ name: "ipvlan l3", makeDriver: () => createIpvlanDriver(), networkOptions: (i) => ({ parent: `cfparent${i}`, ipvlan_mode: "l3" }), prepare: parents, makeWorld, netnsPrefix, only });
describeDriverConformance.integration({ name: "ipvlan l2 on a VLAN parent netd creates", makeDriver: () => createIpvlanDriver(), networkOptions: (i) => ({ parent: `cfparent0.${10 + i}` }), prepare: parents, makeWorld, netnsPrefix, only });
