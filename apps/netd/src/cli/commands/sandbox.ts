/** `netd sandbox create|ls|inspect|rm` and `netd port`. */
import type { Command } from "commander";
import { publishSpecsToMap } from "../../ports/publish-spec.js";
import type { ApiClient } from "../client.js";
import { CliError, seg } from "../client.js";
import { checkFormat, collect, inspectAll, keyValues, printFormatted, printLines, printTable } from "../output.js";

/** What the CLI reads from a sandbox (the API's SandboxResource). */
export interface SandboxView {
  Id: string;
  Name: string;
  Netns: string;
  Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
  Networks: Record<string, { IPAddress: string; GlobalIPv6Address: string }>;
}

/** Options shared by `sandbox create` and `run`. */
export interface CreateFlags {
  name?: string;
  publish?: string[];
  expose?: string[];
  network?: string[];
  label?: string[];
  netns?: string;
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
}

/** The POST /sandboxes body for the flags; -p specs are parsed here so errors come before any request. */
export function sandboxBody(o: CreateFlags): Record<string, unknown> {
  let portBindings: Record<string, unknown>;
  try {
    portBindings = publishSpecsToMap(o.publish ?? []);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const exposed: Record<string, object> = {};
  for (const p of o.expose ?? []) exposed[p.includes("/") ? p : `${p}/tcp`] = {};
  return {
    ...(o.name ? { Name: o.name } : {}),
    ...(o.netns ? { Netns: o.netns } : {}),
    PortBindings: portBindings,
    ExposedPorts: exposed,
    Networks: Object.fromEntries((o.network ?? []).map((n) => [n, {}])),
    Labels: keyValues(o.label, "label"),
    ...(o.dns || o.dnsSearch || o.dnsOption ? { HostConfig: { Dns: o.dns ?? [], DnsSearch: o.dnsSearch ?? [], DnsOptions: o.dnsOption ?? [] } } : {}),
  };
}

/** Adds the create flags to a command. */
export function withCreateFlags(cmd: Command): Command {
  return cmd
    .option("--name <name>", "sandbox name")
    .option("-p, --publish <spec>", "publish a port: [ip:][hostPort:]containerPort[/proto]", collect)
    .option("--expose <port>", "expose a port without publishing it", collect)
    .option("--network <network>", "network to join (repeatable)", collect)
    .option("--label <key=value>", "label", collect)
    .option("--netns <path>", "use an existing network namespace")
    .option("--dns <ip>", "nameserver for the sandbox's resolv.conf, replacing the networks' DNS (repeatable)", collect)
    .option("--dns-search <domain>", 'search domain for the resolv.conf ("." for none; repeatable)', collect)
    .option("--dns-option <option>", "resolver option for the resolv.conf, e.g. ndots:2 (repeatable)", collect);
}

/**
 * `80/tcp -> 0.0.0.0:8080` lines, as `docker port` prints them. A binding without a host port
 * (a routed network opens the port on the sandbox's own address) prints those addresses.
 */
export function portLines(sb: SandboxView, filter?: string): string[] {
  const want = filter === undefined ? undefined : filter.includes("/") ? filter : `${filter}/tcp`;
  const hostPort = (ip: string, port: string) => `${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
  const lines: string[] = [];
  for (const [key, bindings] of Object.entries(sb.Ports)) {
    if (want !== undefined && key !== want) continue;
    const prefix = want === undefined ? `${key} -> ` : "";
    for (const b of bindings ?? []) {
      if (b.HostPort !== "") {
        lines.push(prefix + hostPort(b.HostIp, b.HostPort));
        continue;
      }
      const v6 = b.HostIp.includes(":");
      const own = Object.values(sb.Networks).map((n) => (v6 ? n.GlobalIPv6Address : n.IPAddress)).filter((a) => a !== "");
      for (const a of own) lines.push(prefix + hostPort(a, key.split("/")[0]!));
    }
  }
  return lines;
}

/** Registers `sandbox …` and `port`. */
export function sandboxCommands(program: Command, client: () => ApiClient): void {
  const sb = program.command("sandbox").description("manage sandboxes (one container's network namespace)");

  withCreateFlags(sb.command("create").description("create a sandbox; prints its id")).action(async (o: CreateFlags) => {
    const res = await client().call<SandboxView>("POST", "/sandboxes", sandboxBody(o));
    printLines([res.Id]);
  });

  sb.command("ls")
    .alias("list")
    .description("list sandboxes")
    .option("-q, --quiet", "print ids only")
    .option("--format <format>", "table, json (one object per line) or a Go template such as '{{.Name}}'")
    .action(async (o: { quiet?: boolean; format?: string }) => {
      const format = checkFormat(o.format);
      const list = (await client().call<SandboxView[]>("GET", "/sandboxes")).sort((a, b) => a.Name.localeCompare(b.Name, "en", { numeric: true }));
      if (o.quiet) return printLines(list.map((s) => s.Id.slice(0, 12)));
      if (format.kind !== "table") return printFormatted(format, list);
      printTable(
        ["SANDBOX ID", "NAME", "NETWORKS", "PORTS"],
        list.map((s) => [s.Id.slice(0, 12), s.Name, Object.keys(s.Networks).join(",") || "-", portLines(s).join(", ") || "-"]),
      );
    });

  sb.command("inspect <sandbox...>")
    .description("show sandboxes as JSON")
    .option("-f, --format <template>", "a Go template applied to each sandbox, or json")
    .action(async (refs: string[], o: { format?: string }) => {
      const c = client();
      await inspectAll(refs, (r) => c.call("GET", `/sandboxes/${seg(r)}`), (m) => new CliError(m), o.format);
    });

  sb.command("rm <sandbox...>")
    .alias("remove")
    .description("remove sandboxes: leave every network, delete a namespace netd created")
    .action(async (refs: string[]) => {
      const c = client();
      const errors: string[] = [];
      let code: string | undefined;
      for (const r of refs) {
        try {
          const res = await c.call<{ Warnings: string[] }>("DELETE", `/sandboxes/${seg(r)}`);
          for (const w of res.Warnings) process.stderr.write(`netd: warning: ${w}\n`);
          printLines([r]);
        } catch (e) {
          errors.push((e as Error).message);
          code ??= (e as CliError).code;
        }
      }
      if (errors.length > 0) throw new CliError(errors.join("\n"), 1, code);
    });

  program
    .command("port <sandbox> [port]")
    .description("list a sandbox's published ports, or the host addresses of one port")
    .action(async (ref: string, port: string | undefined) => {
      const s = await client().call<SandboxView>("GET", `/sandboxes/${seg(ref)}`);
      const lines = portLines(s, port);
      if (port !== undefined && lines.length === 0) throw new CliError(`no public port '${port}' published for ${ref}`);
      printLines(lines);
    });
}
