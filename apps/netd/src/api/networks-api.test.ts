import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiHarness } from "../test-support/api-harness.js";
import type { ApiHarness } from "../test-support/api-harness.js";

// Exactly what docker CLI 28.2 sends for `docker network create --subnet 10.0.0.0/24 --ipv6 n1`.
const dockerCreate = (name: string, extra: Record<string, unknown> = {}) => ({
  Driver: "bridge", Scope: "", EnableIPv6: true,
  IPAM: { Driver: "default", Options: {}, Config: [{ Subnet: "10.0.0.0/24" }] },
  Internal: false, Attachable: false, Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: {}, Labels: {}, Name: name, ...extra,
});
const dockerEndpointConfig = (ip: string) => ({
  IPAMConfig: { IPv4Address: ip }, Links: null, Aliases: [], MacAddress: "", DriverOpts: {}, GwPriority: 0, NetworkID: "", EndpointID: "",
  Gateway: "", IPAddress: "", IPPrefixLen: 0, IPv6Gateway: "", GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0, DNSNames: null,
});

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

describe("system endpoints", () => {
  it("answers /_ping (GET and HEAD) and /version with Api-Version, with and without /v1.NN", async () => {
    const ping = await h.call("GET", "/_ping");
    expect(ping).toMatchObject({ status: 200, text: "OK" });
    expect(ping.headers["api-version"]).toBe("1.47");
    const head = await h.call("HEAD", "/v1.41/_ping");
    expect(head.status).toBe(200);
    expect(head.headers["api-version"]).toBe("1.47");
    expect((await h.call("GET", "/v1.47/version")).json).toMatchObject({ ApiVersion: "1.47", Os: "linux" });
    expect((await h.call("GET", "/info")).json).toMatchObject({ Containers: 0, Plugins: { Network: ["bridge"] } });
    const missing = await h.call("GET", "/v1.47/nope");
    expect(missing).toMatchObject({ status: 404, json: { message: "page not found: GET /nope" } });
    // The docker CLI shows `message` only when the type is exactly application/json.
    expect(missing.headers["content-type"]).toBe("application/json");
    expect((await h.call("GET", "/networks/ghost")).headers["content-type"]).toBe("application/json");
    expect((await h.call("GET", "/networks")).headers["content-type"]).toBe("application/json");
  });
});

describe("Docker network endpoints", () => {
  it("creates from the docker CLI's exact body, lists, inspects by name, id and prefix, removes", async () => {
    const created = await h.call("POST", "/v1.47/networks/create", dockerCreate("n1", { Labels: { tier: "web" } }));
    expect(created.status).toBe(201);
    const { Id, Warning } = created.json as { Id: string; Warning: string };
    expect(Id).toMatch(/^[0-9a-f]{64}$/);
    expect(Warning).toBe("");
    await h.call("POST", "/networks/create", { Name: "n2", Driver: "bridge", Labels: { tier: "db" } });
    const list = (await h.call("GET", "/networks")).json as Array<{ Name: string }>;
    expect(list.map((n) => n.Name)).toEqual(["n1", "n2"]);
    const byLabel = await h.call("GET", `/networks?filters=${encodeURIComponent(JSON.stringify({ label: { "tier=web": true } }))}`);
    expect((byLabel.json as Array<{ Name: string }>).map((n) => n.Name)).toEqual(["n1"]);
    const byId = await h.call("GET", `/networks?filters=${encodeURIComponent(JSON.stringify({ id: [Id.slice(0, 6)], driver: { bridge: true } }))}`);
    expect((byId.json as Array<{ Name: string }>).map((n) => n.Name)).toEqual(["n1"]);
    const byName = await h.call("GET", `/networks?filters=${encodeURIComponent(JSON.stringify({ name: { n2: true } }))}`);
    expect((byName.json as Array<{ Name: string }>).map((n) => n.Name)).toEqual(["n2"]);
    const inspect = await h.call("GET", "/v1.47/networks/n1");
    expect(inspect.json).toMatchObject({
      Name: "n1", Id, Scope: "local", Driver: "bridge", EnableIPv4: true, EnableIPv6: true, Internal: false, Attachable: false,
      IPAM: { Driver: "default", Config: [{ Subnet: "10.0.0.0/24", Gateway: "10.0.0.1" }, { Subnet: expect.stringMatching(/^fd[0-9a-f:]+\/64$/) as string }] },
      Containers: {}, Labels: { tier: "web" }, ConfigFrom: { Network: "" },
    });
    expect((await h.call("GET", `/networks/${Id.slice(0, 8)}`)).json).toMatchObject({ Name: "n1" });
    expect((await h.call("DELETE", `/networks/${Id}`)).status).toBe(204);
    expect(await h.call("GET", "/networks/n1")).toMatchObject({ status: 404, json: { message: expect.stringContaining("network 'n1' not found") as string } });
  });

  it("rejects bad input with Docker's status codes and messages naming the value, changing nothing", async () => {
    await h.call("POST", "/networks/create", { Name: "web" });
    expect(await h.call("POST", "/networks/create", { Name: "web" })).toMatchObject({ status: 409, json: { message: expect.stringContaining("network with name 'web' already exists") as string } });
    expect(await h.call("POST", "/networks/create", '{"Name": "x",')).toMatchObject({ status: 400, json: { message: expect.stringContaining("malformed JSON body") as string } });
    expect(await h.call("POST", "/networks/create", { Name: "x", Internal: "yes" })).toMatchObject({ status: 400, json: { message: expect.stringContaining("field 'Internal'") as string } });
    expect(await h.call("POST", "/networks/create", { Internal: true })).toMatchObject({ status: 400, json: { message: expect.stringContaining("field 'Name'") as string } });
    const badCidr = await h.call("POST", "/networks/create", { Name: "x", IPAM: { Config: [{ Subnet: "10.0.0.300/24" }] } });
    expect(badCidr.status).toBe(400);
    expect((badCidr.json as { message: string }).message).toContain("10.0.0.300/24");
    expect(await h.call("POST", "/networks/create", { Name: "x", Driver: "nope" })).toMatchObject({ status: 404, json: { message: expect.stringContaining("nope") as string } });
    expect(await h.call("POST", "/networks/create", { Name: "x", Attachable: true })).toMatchObject({ status: 400, json: { message: expect.stringContaining("Attachable") as string } });
    expect(await h.call("POST", "/networks/create", { Name: "bad name!" })).toMatchObject({ status: 400, json: { message: expect.stringContaining('"bad name!"') as string } });
    expect(await h.call("POST", "/networks/create")).toMatchObject({ status: 400 });
    expect(await h.call("DELETE", "/networks/ghost")).toMatchObject({ status: 404 });
    expect(await h.call("GET", `/networks?filters=${encodeURIComponent('{"colour":["red"]}')}`)).toMatchObject({ status: 400, json: { message: expect.stringContaining("invalid filter 'colour'") as string } });
    expect(h.controller.listNetworks().map((n) => n.name)).toEqual(["web"]);
  });

  it("connects with the docker CLI's EndpointConfig, refuses to remove a network in use, disconnects, prunes", async () => {
    await h.call("POST", "/networks/create", dockerCreate("n1"));
    await h.call("POST", "/networks/create", { Name: "unused", Labels: { keep: "yes" } });
    await h.call("POST", "/networks/create", { Name: "unused2" });
    expect((await h.call("POST", "/sandboxes", { Name: "web" })).status).toBe(201);
    const connect = await h.call("POST", "/v1.47/networks/n1/connect", { Container: "web", EndpointConfig: dockerEndpointConfig("10.0.0.5") });
    expect(connect.status).toBe(200);
    const inspect = (await h.call("GET", "/networks/n1")).json as { Containers: Record<string, { Name: string; IPv4Address: string; MacAddress: string }> };
    expect(Object.values(inspect.Containers)).toEqual([expect.objectContaining({ Name: "web", IPv4Address: "10.0.0.5/24", MacAddress: "02:42:ac:11:00:02" })]);
    expect(await h.call("POST", "/networks/n1/connect", { Container: "web" })).toMatchObject({ status: 409, json: { message: expect.stringContaining("already connected") as string } });
    expect(await h.call("POST", "/networks/n1/connect", { Container: "ghost" })).toMatchObject({ status: 404, json: { message: expect.stringContaining("sandbox 'ghost' not found") as string } });
    expect(await h.call("DELETE", "/networks/n1")).toMatchObject({ status: 403 });
    const pruned = await h.call("POST", "/v1.47/networks/prune", `{}`);
    expect(pruned.status).toBe(200);
    expect((pruned.json as { NetworksDeleted: string[] }).NetworksDeleted.sort()).toEqual(["unused", "unused2"]);
    expect(await h.call("POST", "/networks/n1/disconnect", { Container: "web", Force: false })).toMatchObject({ status: 200 });
    expect(await h.call("POST", "/networks/n1/disconnect", { Container: "web" })).toMatchObject({ status: 403, json: { message: expect.stringContaining("not connected") as string } });
    expect((await h.call("POST", "/networks/prune")).json).toEqual({ NetworksDeleted: ["n1"] });
  });
});
