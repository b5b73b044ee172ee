// The conformance suite against the real kernel: each scenario's "host" is a fresh test
// namespace holding the parent bridge; the suite's sandboxes carry the test env's prefix.
import { createLinuxKernel } from "@netd/kernel";
import { describeDriverConformance } from "@netd/driver-test-suite";
import { useTestEnv } from "@netd/testing";
import { afterAll } from "vitest";
import { createMacvlanDriver } from "../../src/index.js";

const env = useTestEnv("macvlan-conformance");
const kernel = createLinuxKernel();
afterAll(() => kernel.close());
let worlds = 0;

const makeWorld = async () => {
  const host = await env().netns(`h${worlds++}`);
  return { kernel, hostNetns: host.path, dispose: () => kernel.netns.delete(host.path) };
};
const netnsPrefix = () => env().prefix;

describeDriverConformance.integration({
  name: "macvlan bridge",
  makeDriver: () => createMacvlanDriver(),
  networkOptions: { parent: "cfparent", macvlan_mode: "bridge" },
  prepare: async (k, host) => void (await k.links.addBridge(host, { name: "cfparent", up: true })),
  makeWorld,
  netnsPrefix,
});
describeDriverConformance.integration({ name: "macvlan internal without parent", makeDriver: () => createMacvlanDriver(), internal: true, makeWorld, netnsPrefix });
