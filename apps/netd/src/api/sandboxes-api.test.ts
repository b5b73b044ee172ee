import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiHarness } from "../test-support/api-harness.js";
import type { ApiHarness } from "../test-support/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
  await h.call("POST", "/networks/create", { Name: "front", EnableIPv6: true, IPAM: { Config: [{ Subnet: "10.1.0.0/24" }, { Subnet: "fd00:1::/64" }] } });
  await h.call("POST", "/networks/create", { Name: "back", IPAM: { Config: [{ Subnet: "10.2.0.0/24" }] } });
});
afterEach(async () => {
  await h.close();
});

describe("/sandboxes", () => {
  it("creates with port bindings and networks, inspects NetworkSettings-like Ports and Networks, lists, deletes", async () => {
    const created = await h.call("POST", "/sandboxes", {
      Name: "web",
      PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }], "53/udp": [{ HostIp: "127.0.0.1", HostPort: "" }], "90-91/tcp": [{ HostPort: "9090-9091" }] },
      ExposedPorts: { "443/tcp": {} },
      Networks: { front: { IPAMConfig: { IPv4Address: "10.1.0.7", IPv6Address: "" }, Aliases: ["www"], GwPriority: 5 }, back: null },
      Labels: { app: "demo" },
    });
    expect(created.status).toBe(201);
    const sb = created.json as { Id: string; Name: string; Netns: string; Ports: Record<string, unknown>; Networks: Record<string, Record<string, unknown>> };
    expect(sb.Name).toBe("web");
    expect(sb.Netns).toBe(`/run/netns/nttest-${sb.Id.slice(0, 12)}`);
    expect(sb.Ports).toEqual({
      "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }],
      "53/udp": [{ HostIp: "127.0.0.1", HostPort: "49153" }],
      "90/tcp": [{ HostIp: "0.0.0.0", HostPort: "9090" }],
      "91/tcp": [{ HostIp: "0.0.0.0", HostPort: "9091" }],
      "443/tcp": null,
    });
    expect(sb.Networks.front).toMatchObject({ IPAddress: "10.1.0.7", IPPrefixLen: 24, Gateway: "10.1.0.1", GlobalIPv6Address: "fd00:1::2", GlobalIPv6PrefixLen: 64, IPv6Gateway: "fd00:1::1", MacAddress: "02:42:ac:11:00:02", GwPriority: 5, Aliases: ["www"] });
    expect(sb.Networks.back).toMatchObject({ IPAddress: "10.2.0.2", GlobalIPv6Address: "", IPv6Gateway: "" });
    expect((await h.call("GET", `/sandboxes/${sb.Id.slice(0, 10)}`)).json).toEqual(sb);
    const list = (await h.call("GET", `/sandboxes?filters=${encodeURIComponent('{"label":["app=demo"]}')}`)).json as unknown[];
    expect(list).toEqual([sb]);
    expect(await h.kernel.netns.exists(sb.Netns)).toBe(true);
    expect(await h.call("DELETE", "/sandboxes/web")).toMatchObject({ status: 200, json: { Warnings: [] } });
    expect(await h.kernel.netns.exists(sb.Netns)).toBe(false);
    expect(h.controller.listEndpoints()).toEqual([]);
    expect(await h.call("GET", "/sandboxes/web")).toMatchObject({ status: 404 });
  });

  it("creating a sandbox with two networks fsyncs once per join and never for the sandbox itself", async () => {
    h.applies.length = 0;
    expect((await h.call("POST", "/sandboxes", { Name: "web", Networks: { front: {}, back: {} } })).status).toBe(201);
    const durable = h.applies.filter((a) => a.durable);
    // One durable batch per connect; the sandbox's own batch rides on the first one's fsync.
    expect(durable.map((a) => a.kinds.includes("endpoint"))).toEqual([true, true]);
    expect(h.applies.some((a) => !a.durable && a.kinds.includes("sandbox"))).toBe(true);
    h.applies.length = 0;
    expect((await h.call("POST", "/sandboxes", { Name: "alone" })).status).toBe(201);
    expect(h.applies.filter((a) => a.durable).map((a) => a.kinds)).toEqual([["sandbox", "intent"]]);
  });

  it("is all or nothing: a failing network join leaves no sandbox, endpoint or namespace", async () => {
    const before = h.kernel.snapshot();
    const bad = await h.call("POST", "/sandboxes", { Name: "web", Networks: { front: {}, back: { IPAMConfig: { IPv4Address: "10.9.9.9" } } } });
    expect(bad.status).toBe(400);
    expect((bad.json as { message: string }).message).toContain("10.9.9.9");
    const unknown = await h.call("POST", "/sandboxes", { Name: "web", Networks: { ghost: {} } });
    expect(unknown).toMatchObject({ status: 404, json: { message: expect.stringContaining("network 'ghost' not found") as string } });
    expect(h.controller.listSandboxes()).toEqual([]);
    expect(h.controller.listEndpoints()).toEqual([]);
    expect(h.kernel.snapshot()).toEqual(before);
  });

  it("rejects unknown fields, bad port specs and duplicate names, naming the value", async () => {
    expect(await h.call("POST", "/sandboxes", { Nmae: "x" })).toMatchObject({ status: 400, json: { message: expect.stringContaining("unknown field 'Nmae'") as string } });
    expect(await h.call("POST", "/sandboxes", { PortBindings: { "80/tcp": [{ HostPort: "70000" }] } })).toMatchObject({ status: 400, json: { message: expect.stringContaining("host port 70000") as string } });
    expect(await h.call("POST", "/sandboxes", { PortBindings: { "80/tcp": [{ HostPort: "9000-8000" }] } })).toMatchObject({ status: 400, json: { message: expect.stringContaining("inverted") as string } });
    expect(await h.call("POST", "/sandboxes", { PortBindings: { "80/icmp": [] } })).toMatchObject({ status: 400, json: { message: expect.stringContaining("unknown protocol 'icmp'") as string } });
    expect(await h.call("POST", "/sandboxes", { PortBindings: { "80/tcp": [{ HostIp: "nope" }] } })).toMatchObject({ status: 400, json: { message: expect.stringContaining("invalid HostIp 'nope'") as string } });
    expect(await h.call("POST", "/sandboxes", { Netns: "/run/netns/does-not-exist" })).toMatchObject({ status: 400, json: { message: expect.stringContaining("/run/netns/does-not-exist") as string } });
    expect(await h.call("POST", "/sandboxes", { Name: 5 })).toMatchObject({ status: 400, json: { message: expect.stringContaining("field 'Name'") as string } });
    expect((await h.call("POST", "/sandboxes", { Name: "a" })).status).toBe(201);
    expect(await h.call("POST", "/sandboxes", { Name: "a" })).toMatchObject({ status: 409, json: { message: expect.stringContaining("sandbox with name 'a' already exists") as string } });
    expect(h.controller.listSandboxes().map((s) => s.name)).toEqual(["a"]);
  });

  it("streams events as NDJSON, exposes Prometheus metrics and an OpenAPI document", async () => {
    const t0 = Math.floor(Date.now() / 1000);
    await h.call("POST", "/sandboxes", { Name: "web", Networks: { front: {} } });
    await h.call("DELETE", "/sandboxes/web");
    const ev = await h.call("GET", `/events?since=${t0}&until=${Math.ceil(Date.now() / 1000)}&filters=${encodeURIComponent('{"type":["network","sandbox"]}')}`);
    const lines = ev.text.trim().split("\n").map((l) => JSON.parse(l) as { Type: string; Action: string; Actor: { Attributes: Record<string, string> } });
    expect(lines.map((e) => `${e.Type} ${e.Action}`)).toEqual(["network create", "network create", "sandbox create", "network connect", "network disconnect", "sandbox destroy"]);
    expect(lines[3]!.Actor.Attributes).toMatchObject({ name: "front", type: "bridge" });
    const metrics = await h.call("GET", "/metrics");
    expect(metrics.headers["content-type"]).toContain("text/plain");
    expect(metrics.text).toMatch(/netd_api_requests_total\{op="POST \/sandboxes",status="201"\} 1/);
    expect(metrics.text).toMatch(/netd_api_request_duration_seconds_count\{op="DELETE \/sandboxes\/:id"\} 1/);
    expect(metrics.text).toMatch(/netd_networks\{driver="bridge"\} 2/);
    const doc = (await h.call("GET", "/openapi.json")).json as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe("3.0.3");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/networks/create", "/networks/{id}/connect", "/sandboxes", "/sandboxes/{id}"]));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["NetworkCreateRequest", "SandboxCreateRequest", "ErrorResponse"]));
    // Every operation says what it does.
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops as Record<string, { summary?: string; description?: string }>).map(([m, op]) => ({ op: `${m} ${path}`, ...op })));
    expect(operations.filter((o) => !o.summary || !o.description).map((o) => o.op)).toEqual([]);
  });
});
