import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createFakeKernel } from "@netd/kernel-fake";
import { describe, expect, it } from "vitest";
import { GOLDEN_CASES, type GoldenCase } from "../../test/golden/cases.js";
import { createBridgeFirewall } from "./firewall.js";
import { renderScript, renderTable } from "./render.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const goldenPath = (name: string): string => fileURLToPath(new URL(`../../test/golden/${name}.nft`, import.meta.url));

/** Builds the case's state through the firewall's own calls (as the driver does) on the fake kernel. */
export async function buildCase(c: GoldenCase): Promise<string> {
  const kernel = createFakeKernel();
  const fw = createBridgeFirewall({ kernel, netns: kernel.hostNetns, table: "netd", userlandProxy: c.userlandProxy, log: silent });
  for (const n of c.networks) await fw.addNetwork(n);
  for (const { network, endpoint } of c.endpoints) await fw.addEndpoint(c.networks.find((n) => n.id === network)!, endpoint);
  for (const { endpoint, ports } of c.ports) await fw.setEndpointPorts(endpoint, ports);
  return renderScript("netd", renderTable({ userlandProxy: c.userlandProxy, networks: fw.networks(), elements: fw.elements() }));
}

describe("firewall renderer golden files", () => {
  it.each(GOLDEN_CASES.map((c) => [c.name, c] as const))("%s", async (name, c) => {
    const text = await buildCase(c);
    const file = goldenPath(name);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, text);
    expect(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(file, "utf8"));
  });

  it("renders each family's lines for its own mode", () => {
    const c = GOLDEN_CASES.find((x) => x.name === "mixed-nat4-routed6-snat")!;
    const body = renderTable({ userlandProxy: true, networks: c.networks, elements: [] }).text;
    expect(body).toContain("ip daddr . meta l4proto . th dport @open4 accept");
    expect(body).toContain("meta l4proto ipv6-icmp accept");
    expect(body).not.toContain("meta l4proto icmp accept");
    expect(body).toContain("ip saddr 10.31.2.0/24 snat ip to 198.51.100.10");
    expect(body).not.toContain("ip6 saddr fd00:31:2::/64 masquerade");
    expect(body).toContain("ip daddr 127.0.0.0/8 return");
  });

  it("renders internal networks without any way out and without NAT", () => {
    const c = GOLDEN_CASES.find((x) => x.name === "internal-nat-iccon-masqon-proxyoff")!;
    const body = renderTable({ userlandProxy: false, networks: c.networks, elements: [] }).text;
    expect(body).toMatch(/chain fwd_from__br-g1 \{\n\t\tcounter drop\n/);
    expect(body).toMatch(/chain fwd_to__br-g1 \{\n\t\tiifname "br-g1" accept\n\t\tcounter drop\n/);
    expect(body).not.toContain("masquerade");
    expect(body).not.toContain("guard__br-g1 {");
  });
});
