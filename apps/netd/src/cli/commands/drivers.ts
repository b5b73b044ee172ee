/** `netd drivers`: the daemon's registered network drivers with their versions (from `GET /info`). */
import type { Command } from "commander";
import type { ApiClient } from "../client.js";
import { checkFormat, printJson, printTable, printFormatted } from "../output.js";

interface InfoDrivers {
  NetworkDrivers?: Array<{ Name: string; ApiVersion: number; Source: string; Package: string | null; Version: string | null }>;
}

export function driversCommand(program: Command, client: () => ApiClient): void {
  program
    .command("drivers")
    .description("list the daemon's network drivers: name, driver API version, package and version, where it was loaded from")
    .option("--format <format>", "table, json or a Go template such as '{{.Name}}'")
    .action(async (o: { format?: string }) => {
      const format = checkFormat(o.format);
      const list = (await client().call<InfoDrivers>("GET", "/info")).NetworkDrivers ?? [];
      // An array (not one object per line): scripts of the first release read it that way.
      if (format.kind === "json") return printJson(list);
      if (format.kind === "template") return printFormatted(format, list);
      printTable(
        ["NAME", "API", "PACKAGE", "VERSION", "SOURCE"],
        list.map((d) => [d.Name, String(d.ApiVersion), d.Package ?? "-", d.Version ?? "-", d.Source]),
      );
    });
}
