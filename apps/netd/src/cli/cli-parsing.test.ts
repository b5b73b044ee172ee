import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDaemonConfig } from "../daemon/config.js";
import { ipamConfig } from "./commands/network.js";
import { portLines, sandboxBody } from "./commands/sandbox.js";
import { socketPathOf } from "./client.js";
import { normalizeBoolFlags } from "./program.js";

describe("CLI parsing", () => {
  it("turns docker's --flag=false into --no-flag, but not after --", () => {
    expect(normalizeBoolFlags(["node", "netd", "network", "create", "--ipv4=false", "--ipv6=true", "--internal=0", "n"])).toEqual(["node", "netd", "network", "create", "--no-ipv4", "--ipv6", "--no-internal", "n"]);
    expect(normalizeBoolFlags(["daemon", "--userland-proxy=false", "--reserve-host-ports=false"])).toEqual(["daemon", "--no-userland-proxy", "--no-reserve-host-ports"]);
    expect(normalizeBoolFlags(["run", "--rm=true", "--", "cmd", "--rm=false"])).toEqual(["run", "--rm", "--", "cmd", "--rm=false"]);
  });

  it("places --gateway, --ip-range and --aux-address on the subnet of their family", () => {
    expect(ipamConfig({ subnet: ["10.1.0.0/24", "fd00::/64"], gateway: ["fd00::1", "10.1.0.254"], ipRange: ["10.1.0.128/25"], auxAddress: ["r=10.1.0.5"] })).toEqual([
      { Subnet: "10.1.0.0/24", Gateway: "10.1.0.254", IPRange: "10.1.0.128/25", AuxiliaryAddresses: { r: "10.1.0.5" } },
      { Subnet: "fd00::/64", Gateway: "fd00::1" },
    ]);
    expect(() => ipamConfig({ gateway: ["10.0.0.1"] })).toThrow(/no matching subnet for gateway 10.0.0.1/);
  });

  it("builds the sandbox body from -p, --expose, --network and --label; a bad -p fails before any request", () => {
    expect(sandboxBody({ name: "web", publish: ["8080:80", "53/udp"], expose: ["443"], network: ["a", "b"], label: ["x=1"] })).toEqual({
      Name: "web",
      PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }], "53/udp": [{ HostIp: "", HostPort: "" }] },
      ExposedPorts: { "443/tcp": {} },
      Networks: { a: {}, b: {} },
      Labels: { x: "1" },
    });
    expect(() => sandboxBody({ publish: ["99999:80"] })).toThrow(/host port 99999 in '99999:80' is out of range/);
  });

  it("prints ports like docker port", () => {
    const sb = { Id: "", Name: "", Netns: "", Networks: {}, Ports: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }, { HostIp: "::", HostPort: "8080" }], "443/tcp": null } };
    expect(portLines(sb)).toEqual(["80/tcp -> 0.0.0.0:8080", "80/tcp -> [::]:8080"]);
    expect(portLines(sb, "80")).toEqual(["0.0.0.0:8080", "[::]:8080"]);
    expect(portLines(sb, "443/tcp")).toEqual([]);
  });

  it("accepts unix:// hosts and absolute paths only", () => {
    expect(socketPathOf("unix:///run/netd/netd.sock")).toBe("/run/netd/netd.sock");
    expect(socketPathOf("/tmp/x.sock")).toBe("/tmp/x.sock");
    expect(() => socketPathOf("tcp://1.2.3.4:2375")).toThrow(/unsupported host 'tcp:\/\/1.2.3.4:2375'/);
  });

  it("merges the config file under the flags and names bad keys", () => {
    const dir = mkdtempSync(join(tmpdir(), "netd-cfg-"));
    try {
      const file = join(dir, "netd.json");
      writeFileSync(file, JSON.stringify({ socket: "/tmp/a.sock", userlandProxy: false, logLevel: "debug" }));
      expect(loadDaemonConfig(file, { socket: "/tmp/b.sock", dataDir: undefined })).toMatchObject({ socket: "/tmp/b.sock", dataDir: "/var/lib/netd", userlandProxy: false, logLevel: "debug", netnsPrefix: "netd-" });
      writeFileSync(file, JSON.stringify({ reserveHostPorts: false }));
      expect(loadDaemonConfig(file, {})).toMatchObject({ reserveHostPorts: false, userlandProxy: true });
      expect(loadDaemonConfig(undefined, {})).toMatchObject({ reserveHostPorts: true });
      expect(loadDaemonConfig(file, { reserveHostPorts: true })).toMatchObject({ reserveHostPorts: true });
      writeFileSync(file, JSON.stringify({ dataDir: "relative", colour: "red" }));
      expect(() => loadDaemonConfig(file, {})).toThrow(/dataDir: must be an absolute path/);
      expect(() => loadDaemonConfig(file, {})).toThrow(/colour/);
      expect(() => loadDaemonConfig(join(dir, "missing.json"), {})).toThrow(/cannot read config file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
