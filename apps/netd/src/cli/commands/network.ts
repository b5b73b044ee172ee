/** `netd network create|ls|inspect|rm|connect|disconnect|prune`, with docker's flags and output. */
import type { Command } from "commander";
import type { ApiClient } from "../client.js";
import { CliError, seg } from "../client.js";
import { checkFormat, collect, inspectAll, keyValues, printFormatted, printLines, printTable } from "../output.js";

interface NetworkSummary {
  Id: string;
  Name: string;
  Driver: string;
  Scope: string;
  Created: string;
  EnableIPv4?: boolean;
  EnableIPv6: boolean;
  Internal: boolean;
  Labels: Record<string, string> | null;
}

/** The row docker's `network ls --format` sees: its field names, booleans and labels as strings. */
export function networkRow(n: NetworkSummary, trunc: boolean): Record<string, string> {
  return {
    CreatedAt: n.Created,
    Driver: n.Driver,
    ID: trunc ? n.Id.slice(0, 12) : n.Id,
    IPv4: String(n.EnableIPv4 ?? true),
    IPv6: String(n.EnableIPv6),
    Internal: String(n.Internal),
    Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(","),
    Name: n.Name,
    Scope: n.Scope,
  };
}

/** docker's order for `network ls`: by name, digits compared as numbers. */
export const byName = (a: { Name: string }, b: { Name: string }): number => a.Name.localeCompare(b.Name, "en", { numeric: true });

/** Builds the IPAM.Config list from docker's repeated --subnet/--gateway/--ip-range/--aux-address. */
export function ipamConfig(o: { subnet?: string[]; gateway?: string[]; ipRange?: string[]; auxAddress?: string[] }): Array<Record<string, unknown>> {
  const subnets = o.subnet ?? [];
  const fam = (a: string) => (a.includes(":") ? 6 : 4);
  const config: Array<Record<string, unknown>> = subnets.map((s) => ({ Subnet: s }));
  const place = (values: string[] | undefined, key: string, isInside: (v: string, subnet: string) => boolean) => {
    for (const v of values ?? []) {
      const target = config.find((c) => isInside(v, c.Subnet as string) && c[key] === undefined);
      if (!target) throw new CliError(`no matching subnet for ${key === "Gateway" ? "gateway" : key === "IPRange" ? "range" : "aux-address"} ${v}`);
      target[key] = v;
    }
  };
  place(o.gateway, "Gateway", (v, s) => fam(v) === fam(s));
  place(o.ipRange, "IPRange", (v, s) => fam(v) === fam(s));
  for (const aux of o.auxAddress ?? []) {
    const [name, addr] = aux.split("=");
    if (!name || !addr) throw new CliError(`invalid --aux-address '${aux}'; use name=address`);
    const target = config.find((c) => fam(addr) === fam(c.Subnet as string));
    if (!target) throw new CliError(`no matching subnet for aux-address ${addr}`);
    target.AuxiliaryAddresses = { ...(target.AuxiliaryAddresses as object), [name]: addr };
  }
  return config;
}

/** Registers the `network` command group. */
export function networkCommands(program: Command, client: () => ApiClient): void {
  const net = program.command("network").description("manage networks (docker network compatible)");

  net
    .command("create <name>")
    .description("create a network")
    .option("-d, --driver <driver>", "driver", "bridge")
    .option("--subnet <cidr>", "subnet (repeat for IPv4 and IPv6)", collect)
    .option("--gateway <ip>", "gateway of a subnet", collect)
    .option("--ip-range <cidr>", "allocate endpoint addresses from this range", collect)
    .option("--aux-address <name=ip>", "reserve an address", collect)
    .option("--ipv4", "enable IPv4 (--ipv4=false to disable)", true)
    .option("--no-ipv4", "disable IPv4")
    .option("--ipv6", "enable IPv6")
    .option("--internal", "no external connectivity")
    .option("-o, --opt <key=value>", "driver option", collect)
    .option("--label <key=value>", "label", collect)
    .action(async (name: string, o: { driver: string; subnet?: string[]; gateway?: string[]; ipRange?: string[]; auxAddress?: string[]; ipv4: boolean; ipv6?: boolean; internal?: boolean; opt?: string[]; label?: string[] }) => {
      const res = await client().call<{ Id: string }>("POST", "/networks/create", {
        Name: name,
        Driver: o.driver,
        EnableIPv4: o.ipv4,
        EnableIPv6: o.ipv6 ?? false,
        Internal: o.internal ?? false,
        IPAM: { Driver: "default", Config: ipamConfig(o) },
        Options: keyValues(o.opt, "option"),
        Labels: keyValues(o.label, "label"),
      });
      printLines([res.Id]);
    });

  net
    .command("ls")
    .alias("list")
    .description("list networks")
    .option("-f, --filter <key=value>", "filter: name, id, driver, label, dangling", collect)
    .option("-q, --quiet", "print ids only")
    .option("--no-trunc", "full ids")
    .option("--format <format>", "table, json (one object per line) or a Go template such as '{{.Name}}'")
    .action(async (o: { filter?: string[]; quiet?: boolean; trunc: boolean; format?: string }) => {
      const format = checkFormat(o.format);
      const filters: Record<string, Record<string, boolean>> = {};
      for (const f of o.filter ?? []) {
        const eq = f.indexOf("=");
        if (eq <= 0) throw new CliError(`invalid filter '${f}'; use key=value`);
        (filters[f.slice(0, eq)] ??= {})[f.slice(eq + 1)] = true;
      }
      const query = Object.keys(filters).length > 0 ? `?filters=${encodeURIComponent(JSON.stringify(filters))}` : "";
      const list = (await client().call<NetworkSummary[]>("GET", `/networks${query}`)).sort(byName);
      const rows = list.map((n) => networkRow(n, o.trunc));
      if (o.quiet) return printLines(rows.map((r) => r.ID!));
      if (format.kind !== "table") return printFormatted(format, rows);
      printTable(["NETWORK ID", "NAME", "DRIVER", "SCOPE"], rows.map((r) => [r.ID!, r.Name!, r.Driver!, r.Scope!]));
    });

  net
    .command("inspect <network...>")
    .description("show networks as JSON")
    .option("-f, --format <template>", "a Go template applied to each network, or json")
    .action(async (refs: string[], o: { format?: string }) => {
      const c = client();
      await inspectAll(refs, (r) => c.call("GET", `/networks/${seg(r)}`), (m) => new CliError(m), o.format);
    });

  net
    .command("rm <network...>")
    .alias("remove")
    .description("remove networks")
    .option("-f, --force", "do not fail when a network does not exist")
    .action(async (refs: string[], o: { force?: boolean }) => {
      const c = client();
      const errors: string[] = [];
      let code: string | undefined;
      for (const r of refs) {
        const res = await c.raw("DELETE", `/networks/${seg(r)}`);
        if (res.status < 300 || (o.force && res.status === 404)) printLines(res.status < 300 ? [r] : []);
        else {
          const body = res.body as { message?: string; code?: string } | undefined;
          errors.push(`Error response from daemon: ${body?.message ?? res.text}`);
          code ??= body?.code;
        }
      }
      if (errors.length > 0) throw new CliError(errors.join("\n"), 1, code);
    });

  net
    .command("connect <network> <sandbox>")
    .description("connect a sandbox to a network")
    .option("--ip <ipv4>", "IPv4 address")
    .option("--ip6 <ipv6>", "IPv6 address")
    .option("--alias <name>", "alias", collect)
    .option("--gw-priority <n>", "gateway priority (higher wins)", (v) => {
      if (!/^-?\d+$/.test(v)) throw new CliError(`invalid --gw-priority '${v}'; use an integer`);
      return Number(v);
    })
    .option("--driver-opt <key=value>", "endpoint driver option", collect)
    .option("--mac-address <mac>", "MAC address")
    .action(async (network: string, sandbox: string, o: { ip?: string; ip6?: string; alias?: string[]; gwPriority?: number; driverOpt?: string[]; macAddress?: string }) => {
      await client().call("POST", `/networks/${seg(network)}/connect`, {
        Container: sandbox,
        EndpointConfig: {
          IPAMConfig: { IPv4Address: o.ip ?? "", IPv6Address: o.ip6 ?? "" },
          Aliases: o.alias ?? [],
          GwPriority: o.gwPriority ?? 0,
          DriverOpts: keyValues(o.driverOpt, "driver option"),
          MacAddress: o.macAddress ?? "",
        },
      });
    });

  net
    .command("disconnect <network> <sandbox>")
    .description("disconnect a sandbox from a network")
    .option("-f, --force", "force")
    .action(async (network: string, sandbox: string, o: { force?: boolean }) => {
      await client().call("POST", `/networks/${seg(network)}/disconnect`, { Container: sandbox, Force: o.force ?? false });
    });

  net
    .command("prune")
    .description("remove all networks without endpoints")
    .option("-f, --force", "do not prompt (required when stdin is not a terminal)")
    .option("--filter <key=value>", "label=… or until=…", collect)
    .action(async (o: { force?: boolean; filter?: string[] }) => {
      if (!o.force) throw new CliError("netd network prune removes every unused network; pass -f/--force to confirm");
      const filters: Record<string, Record<string, boolean>> = {};
      for (const f of o.filter ?? []) {
        const eq = f.indexOf("=");
        (filters[f.slice(0, eq)] ??= {})[f.slice(eq + 1)] = true;
      }
      const query = Object.keys(filters).length > 0 ? `?filters=${encodeURIComponent(JSON.stringify(filters))}` : "";
      const res = await client().call<{ NetworksDeleted: string[] }>("POST", `/networks/prune${query}`);
      if (res.NetworksDeleted.length > 0) printLines(["Deleted Networks:", ...res.NetworksDeleted]);
    });
}
