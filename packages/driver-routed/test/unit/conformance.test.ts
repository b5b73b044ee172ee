// The routed driver against the conformance suite (fake kernel).
import { describeDriverConformance } from "@netd/driver-test-suite";
import { createPortAllocator } from "@netd/portallocator";
import { createRoutedDriver } from "../../src/index.js";

describeDriverConformance({
  name: "routed",
  makeDriver: () => createRoutedDriver({ userlandProxy: false }),
  context: () => ({ ports: createPortAllocator({ range: { start: 40000, end: 40999 }, reservedPorts: [] }) }),
});
