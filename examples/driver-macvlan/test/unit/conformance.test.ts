// The macvlan driver against the conformance suite on the fake kernel, in every mode and
// as an internal network without parent.
import type { Kernel } from "@netd/driverapi";
import { describeDriverConformance } from "@netd/driver-test-suite";
import { createMacvlanDriver } from "../../src/index.js";

const parent = { prepare: async (kernel: Kernel, host: string) => void (await kernel.links.addBridge(host, { name: "cfparent", up: true })) };

for (const mode of ["bridge", "private", "vepa"] as const) {
  describeDriverConformance({ name: `macvlan ${mode}`, makeDriver: () => createMacvlanDriver(), networkOptions: { parent: "cfparent", macvlan_mode: mode }, ...parent });
}
// passthru takes the whole parent: one parent link per network.
describeDriverConformance({
  name: "macvlan passthru",
  makeDriver: () => createMacvlanDriver(),
  networkOptions: (i) => ({ parent: `cfparent${i}`, macvlan_mode: "passthru" }),
  prepare: async (kernel, host) => {
    for (const i of [0, 1]) await kernel.links.addBridge(host, { name: `cfparent${i}`, up: true });
  },
});
describeDriverConformance({ name: "macvlan internal without parent", makeDriver: () => createMacvlanDriver(), internal: true });
