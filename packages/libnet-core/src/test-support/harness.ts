/** Builds a Controller over the fake kernel and a memory store with the recording drivers. */
import { createFakeKernel } from "@netd/kernel-fake";
import type { PortAllocator } from "@netd/driverapi";
import { createPortAllocator } from "@netd/portallocator";
import { Controller } from "../controller.js";
import { createMemoryStore } from "../store/memory-store.js";
import type { MemoryStore } from "../store/memory-store.js";
import { createJournal, createRecordingDriver } from "./recording-driver.js";
import type { Journal, RecordingDriver, RecordingDriverOptions } from "./recording-driver.js";

export interface TestBed {
  readonly controller: Controller;
  readonly kernel: ReturnType<typeof createFakeKernel>;
  readonly store: MemoryStore;
  readonly journal: Journal;
  readonly bridge: RecordingDriver;
  readonly ipvlan: RecordingDriver;
  readonly ports: PortAllocator;
}

export type FailWhen = RecordingDriverOptions["failWhen"];

export async function testBed(options: { failBridge?: FailWhen; failIpvlan?: FailWhen; store?: MemoryStore; kernel?: ReturnType<typeof createFakeKernel>; journal?: Journal; random?: () => number } = {}): Promise<TestBed> {
  const kernel = options.kernel ?? createFakeKernel();
  const store = options.store ?? createMemoryStore();
  const journal = options.journal ?? createJournal();
  const bridge = createRecordingDriver({ name: "bridge", journal, gateways: "ipam", publishes: true, failWhen: options.failBridge });
  const ipvlan = createRecordingDriver({ name: "ipvlan", journal, gateways: "force", publishes: false, failWhen: options.failIpvlan });
  const ports = createPortAllocator({ range: { start: 49153, end: 65535 }, reservedPorts: [] });
  const controller = await Controller.open({ kernel, store, drivers: [bridge, ipvlan], ports, ipam: { random: options.random ?? (() => 0.5) } });
  return { controller, kernel, store, journal, bridge, ipvlan, ports };
}

/** Default routes of a namespace as "v4 via X dev Y" strings, sorted. */
export async function defaultRoutes(kernel: TestBed["kernel"], netns: string): Promise<string[]> {
  const out: string[] = [];
  for (const fam of [4, 6] as const) {
    for (const r of await kernel.routes.list(netns, fam)) {
      if (r.to === "default" || r.to === "0.0.0.0/0" || r.to === "::/0") out.push(`v${fam} via ${r.via ?? "-"}`);
    }
  }
  return out.sort();
}
