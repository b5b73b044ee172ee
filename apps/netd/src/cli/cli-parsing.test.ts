import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDaemonConfig } from "../daemon/config.js";
import { ipamConfig } from "./commands/network.js";
import { portLines, sandboxBody } from "./commands/sandbox.js";
import { socketPathOf } from "./client.js";
import { booleanFlags, normalizeBoolFlags } from "./bool-flags.js";
import { buildProgram } from "./program.js";
import { checkCommandArgs } from "./commands/run.js";

describe("CLI parsing", () => {
  it("accepts --x, --x=true and --x=false for every boolean flag, never inventing a --no-x, and not after --", () => {
    const known = booleanFlags(buildProgram());
    expect(known).toEqual(expect.objectContaining(new Set(["ipv4", "no-ipv4", "ipv6", "internal", "rm", "force", "quiet", "no-trunc", "userland-proxy", "no-userland-proxy", "debug"])));
    expect(normalizeBoolFlags(["node", "netd", "network", "create", "--ipv4=false", "--ipv6=true", "--internal=0", "n"], known)).toEqual(["node", "netd", "network", "create", "--no-ipv4", "--ipv6", "n"]);
    expect(normalizeBoolFlags(["network", "create", "--ipv6=false", "--internal=false", "--ipv4=True", "n"], known)).toEqual(["network", "create", "--ipv4", "n"]);
    expect(normalizeBoolFlags(["run", "--rm=true", "--", "cmd", "--rm=false"], known)).toEqual(["run", "--rm", "--", "cmd", "--rm=false"]);
    expect(normalizeBoolFlags(["run", "--rm=false", "--", "cmd"], known)).toEqual(["run", "--", "cmd"]);
    expect(normalizeBoolFlags(["daemon", "--userland-proxy=false", "--reserve-host-ports=false", "--default-bridge=false"], known)).toEqual(["daemon", "--no-userland-proxy", "--no-reserve-host-ports", "--no-default-bridge"]);
    expect(normalizeBoolFlags(["network", "ls", "--no-trunc=true", "--quiet=1"], known)).toEqual(["network", "ls", "--no-trunc", "--quiet"]);
    expect(normalizeBoolFlags(["network", "ls", "--no-trunc=false"], known)).toEqual(["network", "ls"]);
    expect(normalizeBoolFlags(["network", "create", "--subnet=10.0.0.0/24", "n"], known)).toEqual(["network", "create", "--subnet=10.0.0.0/24", "n"]);
    expect(() => normalizeBoolFlags(["network", "create", "--ipv6=yes"], known)).toThrow(/invalid value 'yes' for --ipv6; use --ipv6, --ipv6=true or --ipv6=false/);
  });

  it("parses every rewritten boolean flag with commander (no unknown option)", () => {
    const known = booleanFlags(buildProgram());
    for (const argv of [["network", "create", "--ipv6=false", "--internal=false", "n"], ["network", "create", "--ipv4=false", "--ipv6=true", "n"], ["run", "--rm=false", "--", "true"]]) {
      const program = buildProgram().exitOverride();
      let seen: Record<string, unknown> | undefined;
      for (const c of program.commands) c.commands.forEach((s) => s.action((...args: unknown[]) => void (seen = (args.at(-2) as Record<string, unknown>))));
      program.commands.find((c) => c.name() === "run")!.action((...args: unknown[]) => void (seen = args.at(-2) as Record<string, unknown>));
      program.parse(normalizeBoolFlags(argv, known), { from: "user" });
      expect(seen).toBeDefined();
    }
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
  it("run: an option after the command without -- names the fix; after -- it is the command's", () => {
    expect(() => checkCommandArgs(["node", "netd", "run", "ls", "-l"], ["ls", "-l"])).toThrow(/option '-l' follows the command 'ls'; put -- before the command: netd run \[OPTIONS\] -- ls -l/);
    expect(() => checkCommandArgs(["node", "netd", "run", "--", "ls", "-l"], ["ls", "-l"])).not.toThrow();
    expect(() => checkCommandArgs(["node", "netd", "run", "--bogus", "--", "ls"], ["--bogus", "--", "ls"])).toThrow(/unknown option '--bogus'/);
  });

  it("port: a routed binding (no host port) prints the sandbox's own addresses, not a dangling colon", () => {
    const sb = { Id: "x", Name: "r", Netns: "/run/netns/x", Ports: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "" }, { HostIp: "::", HostPort: "" }] }, Networks: { direct: { IPAddress: "10.1.0.2", GlobalIPv6Address: "fd00::2" } } };
    expect(portLines(sb)).toEqual(["80/tcp -> 10.1.0.2:80", "80/tcp -> [fd00::2]:80"]);
    expect(portLines(sb, "80")).toEqual(["10.1.0.2:80", "[fd00::2]:80"]);
  });
});
