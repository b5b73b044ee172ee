// The routed driver against the conformance suite on the real kernel: each scenario's
// "host" is a fresh test namespace (its nft table lives there); no ports are published.
import { describeDriverConformance } from "@netd/driver-test-suite";
import { createLinuxKernel } from "@netd/kernel";
import { createPortAllocator } from "@netd/portallocator";
import { useTestEnv } from "@netd/testing";
import { afterAll } from "vitest";
import { createRoutedDriver } from "../../src/index.js";

const env = useTestEnv("routed-conformance");
const kernel = createLinuxKernel();
afterAll(() => kernel.close());
let worlds = 0;

describeDriverConformance.integration({
  name: "routed",
  makeDriver: () => createRoutedDriver({ userlandProxy: false }),
  context: () => ({ ports: createPortAllocator({ range: { start: 40000, end: 40999 }, reservedPorts: [] }) }),
  makeWorld: async () => {
    const host = await env().netns(`h${worlds++}`);
    return { kernel, hostNetns: host.path, dispose: () => kernel.netns.delete(host.path) };
  },
  netnsPrefix: () => env().prefix,
});
