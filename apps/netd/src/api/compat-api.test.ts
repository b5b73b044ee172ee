import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiHarness } from "../test-support/api-harness.js";
import type { ApiHarness } from "../test-support/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

describe("Docker client compatibility", () => {
  it("treats null as absent, as the Python SDK sends it (IPAMPool, EndpointConfig, Options, Labels)", async () => {
    // docker-py 5's body for create_network(name, ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=…)])).
    const created = await h.call("POST", "/v1.41/networks/create", {
      Name: "py", Driver: null, Options: null, IPAM: { Driver: "default", Config: [{ Subnet: "10.9.0.0/24", IPRange: null, Gateway: null, AuxiliaryAddresses: null }], Options: null },
      CheckDuplicate: null, Internal: null, Labels: null, EnableIPv6: null, Attachable: null, Scope: null, Ingress: null,
    });
    expect(created.status).toBe(201);
    expect((await h.call("GET", "/networks/py")).json).toMatchObject({ Driver: "bridge", IPAM: { Config: [{ Subnet: "10.9.0.0/24", Gateway: "10.9.0.1" }] }, Labels: {}, Options: {} });
    expect((await h.call("POST", "/sandboxes", { Name: "box", Netns: null, Labels: null, PortBindings: { "80/tcp": [{ HostIp: null, HostPort: null }] } })).status).toBe(201);
    const connect = await h.call("POST", "/networks/py/connect", {
      Container: "box", EndpointConfig: { IPAMConfig: { IPv4Address: null, IPv6Address: null, LinkLocalIPs: null }, Aliases: null, Links: null, DriverOpts: null, MacAddress: null, GwPriority: null },
    });
    expect(connect.status).toBe(200);
    expect(await h.call("POST", "/networks/py/disconnect", { Container: "box", Force: null })).toMatchObject({ status: 200 });
  });

  it("prunes with Go durations and timestamps in the until filter, as dockerd does", async () => {
    await h.call("POST", "/networks/create", { Name: "old" });
    const q = (until: string) => `/networks/prune?filters=${encodeURIComponent(JSON.stringify({ until: { [until]: true } }))}`;
    // The network was created just now: nothing is older than 24h, 1h30m or an hour ago.
    for (const until of ["24h", "1h30m", "1.5h", String(Math.floor(Date.now() / 1000) - 3600), new Date(Date.now() - 3_600_000).toISOString()]) {
      expect(await h.call("POST", q(until))).toMatchObject({ status: 200, json: { NetworksDeleted: [] } });
    }
    expect(await h.call("POST", q("1d"))).toMatchObject({ status: 400, json: { message: expect.stringContaining("invalid until filter '1d'") as string, code: "INVALID_ARGUMENT" } });
    expect(await h.call("POST", q("-1m"))).toMatchObject({ status: 200, json: { NetworksDeleted: ["old"] } });
  });

  it("adds netd's stable error code to Docker's message body", async () => {
    expect(await h.call("GET", "/networks/ghost")).toMatchObject({ status: 404, json: { message: expect.stringContaining("ghost") as string, code: expect.stringMatching(/^[A-Z_]+$/) as string } });
    expect(await h.call("POST", "/networks/create", { Name: "x", Internal: "yes" })).toMatchObject({ status: 400, json: { code: "INVALID_ARGUMENT" } });
    expect(await h.call("GET", "/nope")).toMatchObject({ status: 404, json: { code: "NOT_FOUND" } });
  });
});
