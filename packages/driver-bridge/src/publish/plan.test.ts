// Ports the normalisation half of libnetwork's TestAddPortMappings (reference §8.5) and
// the mode rules of §4.5 / §5 to netd's pure planning steps.
import { describe, expect, it } from "vitest";
import { endpoint, network, tcp, udp } from "../../test/support/publish-fixtures.js";
import { requestedModes } from "./modes.js";
import { normalizeBindings } from "./normalize.js";
import { diffEndpoint, planEndpoint } from "./plan.js";
import { sortAndGroup } from "./sort.js";
import type { AppliedBinding } from "./types.js";

const net = network({ id: "n1" });
const ep = endpoint("e1", "n1", "10.32.1.2", "fd00:32:1::2");
const v4only = endpoint("e1", "n1", "10.32.1.2", null);
const hostIps = (g: ReturnType<typeof sortAndGroup>) => g.map((group) => group.map((b) => `${b.hostIp}>${b.containerIp}`));

describe("requestedModes", () => {
  it("gw4 and gw6 per family; 6-to-4 when there is no gw6 at all", () => {
    expect(requestedModes(net, "e1", "e1", "e1")).toEqual({ nat4: true, nat6: true, routed4: false, routed6: false });
    expect(requestedModes(net, "e1", "e1", null)).toEqual({ nat4: true, nat6: true, routed4: false, routed6: false });
    expect(requestedModes(net, "e1", "e1", "e2")).toEqual({ nat4: true, nat6: false, routed4: false, routed6: false });
    expect(requestedModes(net, "e1", "e2", "e1")).toEqual({ nat4: false, nat6: true, routed4: false, routed6: false });
    expect(requestedModes(net, "e1", null, null)).toEqual({ nat4: false, nat6: false, routed4: false, routed6: false });
  });
  it("routed families open from join to leave, gateway or not", () => {
    const routed6 = network({ id: "n1", mode6: "routed" });
    expect(requestedModes(routed6, "e1", "e2", "e2")).toEqual({ nat4: false, nat6: false, routed4: false, routed6: true });
    expect(requestedModes(routed6, "e1", "e1", "e1")).toEqual({ nat4: true, nat6: false, routed4: false, routed6: true });
  });
  it("internal networks publish nothing", () => {
    const internal = network({ id: "n1", internal: true, mode4: "routed" });
    expect(requestedModes(internal, "e1", "e1", "e1")).toEqual({ nat4: false, nat6: false, routed4: false, routed6: false });
  });
});

describe("normalizeBindings + sortAndGroup (TestAddPortMappings)", () => {
  const both = { nat4: true, nat6: true, routed4: false, routed6: false };
  const plan = (bindings: Parameters<typeof normalizeBindings>[0]["bindings"], opts: Partial<Parameters<typeof normalizeBindings>[0]> = {}) =>
    normalizeBindings({ bindings, endpoint: ep, network: net, modes: both, proxy: true, ...opts });

  it("defaults: v4 and v6 in one group (one ephemeral port for both)", () => {
    const groups = sortAndGroup(plan([tcp(80)]).bindings);
    expect(hostIps(groups)).toEqual([["0.0.0.0>10.32.1.2", "::>fd00:32:1::2"]]);
    expect(groups[0]?.[0]).toMatchObject({ mapper: "nat", hostPortStart: 0, hostPortEnd: 0 });
  });
  it("specific host port; end 0 means the start", () => {
    const [b] = plan([{ protocol: "tcp", containerPort: 80, hostIp: null, hostPortStart: 8080, hostPortEnd: 0 }]).bindings;
    expect(b).toMatchObject({ hostPortStart: 8080, hostPortEnd: 8080 });
  });
  it("IPv4-mapped host and container addresses are unmapped", () => {
    const r = plan([tcp(80, 8080, 8080, "::ffff:127.0.0.1")], { endpoint: endpoint("e1", "n1", "::ffff:10.32.1.2", null) });
    expect(r.bindings).toEqual([expect.objectContaining({ family: 4, hostIp: "127.0.0.1", containerIp: "10.32.1.2" })]);
  });
  it("127.0.0.1 gives v4 only; ::1 and :: give v6 only", () => {
    expect(plan([tcp(80, 0, 0, "127.0.0.1")]).bindings.map((b) => b.hostIp)).toEqual(["127.0.0.1"]);
    expect(plan([tcp(80, 0, 0, "::1")]).bindings.map((b) => b.hostIp)).toEqual(["::1"]);
    expect(plan([tcp(80, 0, 0, "::")]).bindings.map((b) => b.hostIp)).toEqual(["::"]);
  });
  it("default binding IP: IPv4 default binds v4 only, IPv6 default v6 only", () => {
    expect(plan([tcp(80)], { network: { defaultBindingIp: "127.0.0.1" } }).bindings.map((b) => b.hostIp)).toEqual(["127.0.0.1"]);
    expect(plan([tcp(80)], { network: { defaultBindingIp: "::1" } }).bindings.map((b) => b.hostIp)).toEqual(["::1"]);
  });
  it("6-to-4: host IPv6 to the container IPv4 address with the proxy", () => {
    const r = plan([tcp(80, 8080)], { endpoint: v4only });
    expect(r.bindings.map((b) => `${b.family}:${b.hostIp}>${b.containerIp}`)).toEqual(["4:0.0.0.0>10.32.1.2", "6:::>10.32.1.2"]);
  });
  it("6-to-4 without the proxy: silently none, with a notice", () => {
    const r = plan([tcp(80, 8080)], { endpoint: v4only, proxy: false });
    expect(r.bindings.map((b) => b.hostIp)).toEqual(["0.0.0.0"]);
    expect(r.notices.join()).toMatch(/userland proxy is disabled/);
  });
  it("noProxy6To4: mode ipv6=false gives no IPv6 binding", () => {
    const r = plan([tcp(80, 8080)], { endpoint: v4only, modes: { ...both, nat6: false } });
    expect(r.bindings.map((b) => b.hostIp)).toEqual(["0.0.0.0"]);
  });
  it("routed: host IP becomes 0.0.0.0/:: and the host port is ignored, with notices", () => {
    const r = plan([tcp(80, 8080, 8080, "127.0.0.1"), tcp(81, 8081, 8081, "::1")], { modes: { nat4: false, nat6: false, routed4: true, routed6: true } });
    expect(r.bindings.map((b) => `${b.mapper}:${b.hostIp}:${b.hostPortStart}`)).toEqual(["routed:0.0.0.0:0", "routed::::0"]);
    expect(r.notices.filter((n) => n.includes("NAT is disabled")).length).toBe(4);
  });
  it("mixed nat4 + routed6", () => {
    const r = plan([tcp(80, 8080)], { modes: { nat4: true, nat6: false, routed4: false, routed6: true } });
    expect(r.bindings.map((b) => `${b.mapper}:${b.hostIp}:${b.hostPortStart}`)).toEqual(["nat:0.0.0.0:8080", "routed::::0"]);
  });
  it("same host port across specific addresses, exact ports before ranges", () => {
    const groups = sortAndGroup(
      plan([tcp(80, 8000, 8010, "127.0.0.1"), tcp(80, 8000, 8010, "127.0.0.2"), tcp(81, 8005, 8005), udp(80, 8000, 8010, "127.0.0.1")]).bindings,
    );
    expect(groups.map((g) => g.map((b) => `${b.protocol}/${b.containerPort}@${b.hostIp}:${b.hostPortStart}-${b.hostPortEnd}`))).toEqual([
      ["tcp/81@0.0.0.0:8005-8005", "tcp/81@:::8005-8005"],
      ["tcp/80@127.0.0.1:8000-8010", "tcp/80@127.0.0.2:8000-8010"],
      ["udp/80@127.0.0.1:8000-8010"],
    ]);
  });
  it("refuses an invalid host IP before planning", () => {
    expect(() => plan([tcp(80, 0, 0, "localhost")])).toThrow(/invalid host IP 'localhost'/);
  });
});

describe("planEndpoint + diffEndpoint", () => {
  it("desired minus present: a routed endpoint becoming the gateway keeps its openings once", () => {
    const routed = network({ id: "n1", mode4: "routed", mode6: "routed" });
    const before = planEndpoint([tcp(80, 8080)], ep, routed, "e2", "e2", true);
    const applied: AppliedBinding[] = before.groups.flat().map((b) => ({ ...b, hostPort: 0 }));
    const after = planEndpoint([tcp(80, 8080)], ep, routed, "e1", "e1", true);
    expect(diffEndpoint(after, applied)).toEqual({ add: [], remove: [] });
  });
  it("an IPv6 gateway appearing removes only the 6-to-4 binding", () => {
    const withSixToFour = planEndpoint([tcp(80)], v4only, net, "e1", null, true);
    const applied = withSixToFour.groups.flat().map((b) => ({ ...b, hostPort: 40000 }));
    const d = diffEndpoint(planEndpoint([tcp(80)], v4only, net, "e1", "e9", true), applied);
    expect(d.add).toEqual([]);
    expect(d.remove.map((b) => b.hostIp)).toEqual(["::"]);
  });
});
