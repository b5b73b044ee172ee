/**
 * A published-port clash is a conflict (HTTP 409) in every path that can meet one: sandbox
 * create, connect, a gateway move, ranges, explicit and wildcard host addresses, both
 * families. Runs the real bridge driver over the fake kernel (proxy off, no reserver).
 */
import { createBridgeDriver } from "@netd/driver-bridge";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiHarness } from "../test-support/api-harness.js";
import type { ApiHarness } from "../test-support/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ drivers: () => [createBridgeDriver({ userlandProxy: false })] });
  expect((await h.call("POST", "/networks/create", { Name: "front", EnableIPv6: true, IPAM: { Config: [{ Subnet: "10.1.0.0/24" }, { Subnet: "fd00:1::/64" }] } })).status).toBe(201);
  expect((await h.call("POST", "/networks/create", { Name: "back", IPAM: { Config: [{ Subnet: "10.2.0.0/24" }] } })).status).toBe(201);
});
afterEach(async () => {
  await h.close();
});

type Bindings = Record<string, Array<{ HostIp?: string; HostPort?: string }>>;
const create = (name: string, ports: Bindings, networks: Record<string, unknown> = { front: {} }) => h.call("POST", "/sandboxes", { Name: name, PortBindings: ports, Networks: networks });

/** Asserts a 409 naming the port, and that the refused sandbox left nothing behind. */
function expectClash(res: { status: number; json: unknown }, port: number, refused?: string): void {
  expect(res, JSON.stringify(res.json)).toMatchObject({ status: 409, json: { message: expect.stringContaining(String(port)) as string } });
  if (refused) expect(h.controller.listSandboxes().map((s) => s.name)).not.toContain(refused);
}

describe("a published-port clash is 409 in every path", () => {
  it("on sandbox create: same port, range, explicit address against wildcard, IPv6, another network, one request binding a port twice", async () => {
    expect((await create("a", { "80/tcp": [{ HostPort: "8080" }] })).status).toBe(201);
    expectClash(await create("same", { "80/tcp": [{ HostPort: "8080" }] }), 8080, "same");
    expectClash(await create("range", { "80/tcp": [{ HostPort: "8080-8080" }] }), 8080, "range");
    expectClash(await create("lo", { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }] }), 8080, "lo");
    expectClash(await create("v6", { "80/tcp": [{ HostIp: "::", HostPort: "8080" }] }), 8080, "v6");
    expectClash(await create("mapped", { "80/tcp": [{ HostIp: "::ffff:0.0.0.0", HostPort: "8080" }] }), 8080, "mapped");
    expectClash(await create("other-net", { "80/tcp": [{ HostPort: "8080" }] }, { back: {} }), 8080, "other-net");
    expectClash(await create("twice", { "80/tcp": [{ HostPort: "9090" }], "81/tcp": [{ HostPort: "9090" }] }), 9090, "twice");
    expect((await create("b", { "80/tcp": [{ HostIp: "::1", HostPort: "7070" }] })).status).toBe(201);
    expectClash(await create("v6-text", { "80/tcp": [{ HostIp: "0:0::1", HostPort: "7070" }] }), 7070, "v6-text");
  });

  it("on connect, and on a connect that moves the gateway onto a port another sandbox holds", async () => {
    expect((await create("holder", { "80/tcp": [{ HostPort: "6060" }] }, { back: {} })).status).toBe(201);
    expect((await create("late", { "80/tcp": [{ HostPort: "6060" }] }, {})).status).toBe(201);
    expectClash(await h.call("POST", "/networks/back/connect", { Container: "late" }), 6060);
    expect(h.controller.listEndpoints({ sandboxId: h.controller.getSandbox("late").id })).toEqual([]);
    // The gateway move re-publishes mover's 5050 through back; afterwards it is still mover's.
    expect((await create("mover", { "80/tcp": [{ HostPort: "5050" }] })).status).toBe(201);
    expect((await h.call("POST", "/networks/back/connect", { Container: "mover", EndpointConfig: { GwPriority: 10 } })).status).toBe(200);
    expectClash(await create("after-move", { "80/tcp": [{ HostPort: "5050" }] }), 5050, "after-move");
  });
});
