/** `netd drivers`: the daemon's registered network drivers with their versions (from `GET /info`). */
import type { Command } from "commander";
import type { ApiClient } from "../client.js";
import { checkFormat, printJson, printTable } from "../output.js";

interface InfoDrivers {
  NetworkDrivers?: Array<{ Name: string; ApiVersion: number; Source: string; Package: string | null; Version: string | null }>;
}

export function driversCommand(program: Command, client: () => ApiClient): void {
  program
    .command("drivers")
    .description("list the daemon's network drivers: name, driver API version, package and version, where it was loaded from")
    .option("--format <format>", "table or json")
    .action(async (o: { format?: string }) => {
      const format = checkFormat(o.format);
      const list = (await client().call<InfoDrivers>("GET", "/info")).NetworkDrivers ?? [];
      if (format === "json") return printJson(list);
      printTable(
        ["NAME", "API", "PACKAGE", "VERSION", "SOURCE"],
        list.map((d) => [d.Name, String(d.ApiVersion), d.Package ?? "-", d.Version ?? "-", d.Source]),
      );
    });
}
