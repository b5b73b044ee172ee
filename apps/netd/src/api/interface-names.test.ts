/**
 * Every interface name a user can give (endpoint `ifname` on connect and on sandbox create,
 * the bridge name of a network) is validated before anything reaches the kernel: a clear
 * 400 naming the option, the value and what is wrong, and nothing left behind. Runs the real
 * bridge driver over the fake kernel, which records every call.
 */
import { createBridgeDriver } from "@netd/driver-bridge";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiHarness } from "../test-support/api-harness.js";
import type { ApiHarness } from "../test-support/api-harness.js";

const IFNAME = "com.docker.network.endpoint.ifname";
const BAD: Array<[string, string]> = [
  ["x;reboot", '";"'],
  ["$(id)", '"$"'],
  ["a`id`", '"`"'],
  ["a|b", '"|"'],
  ["eth 0", '" "'],
  ["a/b", '"/"'],
  ["eth%d", '"%"'],
  ["ab\ncd", '"\\n"'],
  ["abcdefghijklmnop", "longer than 15 bytes"],
  ["..", "start with a letter or digit"],
  ["-x", "start with a letter or digit"],
  ["all", "reserved"],
  ["ünï", '"ü"'],
];

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ drivers: () => [createBridgeDriver({ userlandProxy: false })] });
  expect((await h.call("POST", "/networks/create", { Name: "front", IPAM: { Config: [{ Subnet: "10.1.0.0/24" }] } })).status).toBe(201);
  expect((await h.call("POST", "/sandboxes", { Name: "web" })).status).toBe(201);
});
afterEach(async () => {
  await h.close();
});

function expectRefused(res: { status: number; json: unknown }, key: string, value: string, why: string): void {
  expect(res.status, JSON.stringify(res.json)).toBe(400);
  const message = (res.json as { message: string }).message;
  expect(message).toContain(key);
  expect(message).toContain(JSON.stringify(value));
  expect(message).toContain(why);
  expect(message).toContain("use 1-15 characters from letters, digits");
}

describe("interface names are validated before they reach the kernel", () => {
  it("refuses a bad endpoint ifname on connect and on sandbox create, leaving kernel, endpoints and sandboxes as they were", async () => {
    const before = h.kernel.snapshot();
    for (const [value, why] of BAD) {
      const connect = await h.call("POST", "/networks/front/connect", { Container: "web", EndpointConfig: { DriverOpts: { [IFNAME]: value } } });
      expectRefused(connect, IFNAME, value, why);
      const create = await h.call("POST", "/sandboxes", { Name: "other", Networks: { front: { DriverOpts: { [IFNAME]: value } } } });
      expectRefused(create, IFNAME, value, why);
    }
    expect(h.controller.listEndpoints()).toEqual([]);
    expect(h.controller.listSandboxes().map((s) => s.name)).toEqual(["web"]);
    expect(h.kernel.snapshot()).toEqual(before);
    // A good name still works and is the name inside the sandbox.
    expect((await h.call("POST", "/networks/front/connect", { Container: "web", EndpointConfig: { DriverOpts: { [IFNAME]: "data0" } } })).status).toBe(200);
    const sb = h.controller.getSandbox("web");
    expect((await h.kernel.links.list(sb.netns)).map((l) => l.name)).toContain("data0");
  });

  it("refuses a bad bridge name on network create", async () => {
    const before = h.kernel.snapshot();
    for (const [value, why] of BAD) {
      const res = await h.call("POST", "/networks/create", { Name: "n2", Options: { "com.docker.network.bridge.name": value } });
      expectRefused(res, "com.docker.network.bridge.name", value, why);
    }
    expect(h.controller.listNetworks().map((n) => n.name)).toEqual(["front"]);
    expect(h.kernel.snapshot()).toEqual(before);
  });
});
