/**
 * libnet-core in a few lines: a Controller over the in-memory fake kernel with the dummy
 * driver from @netd/driverapi's examples. Run by src/examples.test.ts.
 */
import { createFakeKernel } from "@netd/kernel-fake";
import { Controller, createMemoryStore } from "@netd/libnet-core";
import { createDummyDriver } from "../../driverapi/examples/dummy-driver.js";

export async function quickstart(): Promise<{ address: string | null; routes: string[] }> {
  const kernel = createFakeKernel();
  const controller = await Controller.open({ kernel, store: createMemoryStore(), drivers: [createDummyDriver()] });

  await controller.createNetwork({ name: "web", driver: "dummy", ipam: { ipv4: { subnet: "10.10.0.0/24" } } });
  const sandbox = await controller.createSandbox({ name: "app" });
  const endpoint = await controller.connect("web", "app");

  // The dummy driver installed the default route because its endpoint is the IPv4 gateway.
  const routes = (await kernel.routes.list(sandbox.netns, 4)).map((r) => `${r.to} dev ${r.dev ?? "?"}`);
  await controller.deleteSandbox("app");
  await controller.deleteNetwork("web");
  await controller.close();
  return { address: endpoint.ipv4, routes };
}
