// The bridge driver against the conformance suite (fake kernel).
import { describeDriverConformance } from "@netd/driver-test-suite";
import { createPortAllocator } from "@netd/portallocator";
import { createBridgeDriver } from "../../src/index.js";

describeDriverConformance({
  name: "bridge",
  makeDriver: () => createBridgeDriver({ userlandProxy: false }),
  context: () => ({ ports: createPortAllocator({ range: { start: 40000, end: 40999 }, reservedPorts: [] }) }),
});
