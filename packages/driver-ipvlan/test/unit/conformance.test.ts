// The ipvlan driver against the contract's conformance suite on the fake kernel: every mode
// on a parent (two dummy parents: two networks may not share one), a VLAN parent netd
// creates, and an internal network without parent.
import type { Kernel } from "@netd/driverapi";
import { describeDriverConformance } from "@netd/driver-test-suite";
import { createIpvlanDriver } from "../../src/index.js";

const parents = async (kernel: Kernel, host: string) => {
  for (const i of [0, 1]) await kernel.links.addDummy(host, { name: `cfparent${i}`, up: true });
};

for (const mode of ["l2", "l3", "l3s"] as const) {
  describeDriverConformance({ name: `ipvlan ${mode}`, makeDriver: () => createIpvlanDriver(), networkOptions: (i) => ({ parent: `cfparent${i}`, ipvlan_mode: mode }), prepare: parents });
}
describeDriverConformance({ name: "ipvlan l2 on a VLAN parent netd creates", makeDriver: () => createIpvlanDriver(), networkOptions: (i) => ({ parent: `cfparent0.${10 + i}` }), prepare: parents });
describeDriverConformance({ name: "ipvlan internal without parent", makeDriver: () => createIpvlanDriver(), internal: true });
