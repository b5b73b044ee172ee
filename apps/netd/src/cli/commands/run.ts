/**
 * `netd run [--rm] [--name N] [--network NET]... [-p SPEC]... -- CMD...`: creates a sandbox
 * (joining the networks, publishing the ports), runs CMD inside its namespace with the
 * terminal's stdio and exits with CMD's status; `--rm` deletes the sandbox afterwards. Exit
 * statuses are docker run's: 125 when netd fails (the sandbox cannot be created, entered or
 * removed), 126 CMD not executable, 127 CMD not found, otherwise CMD's own. CMD sees the
 * resolv.conf netd recommends for the sandbox as /etc/resolv.conf.
 */
import type { Command } from "commander";
import type { ApiClient } from "../client.js";
import { CliError, seg } from "../client.js";
import { execInNetns } from "@netd/kernel/exec";
import type { CreateFlags, SandboxView } from "./sandbox.js";
import { sandboxBody, withCreateFlags } from "./sandbox.js";

/** The network `run` joins without --network, as docker's containers join `bridge`. */
export const DEFAULT_NETWORK = "bridge";

/**
 * An option among CMD's arguments means the user left out `--`: commander would report it as
 * netd's own unknown option, so this names the fix instead.
 */
export function checkCommandArgs(rawArgs: readonly string[], cmd: readonly string[]): void {
  if (cmd[0]?.startsWith("-")) throw new CliError(`unknown option '${cmd[0]}' for netd run; see netd run --help`, 125);
  if (rawArgs.includes("--")) return;
  const opt = cmd.find((a) => a.startsWith("-"));
  if (opt !== undefined) throw new CliError(`option '${opt}' follows the command '${cmd[0]}'; put -- before the command: netd run [OPTIONS] -- ${cmd.join(" ")}`, 125);
}

/** Registers `run`. */
export function runCommand(program: Command, client: () => ApiClient): void {
  withCreateFlags(program.command("run").description("run a command in a fresh sandbox (joins the 'bridge' network unless --network is given)").argument("<cmd...>", "the command and its arguments (after --)"))
    .option("--rm", "delete the sandbox when the command exits")
    // Options after the command reach the action, which says to put -- before the command.
    .allowUnknownOption()
    .action(async (argv: string[], o: CreateFlags & { rm?: boolean }) => {
      // commander keeps the unparsed argv (with any `--`) on the program; its typings omit it.
      checkCommandArgs((program as unknown as { rawArgs: readonly string[] }).rawArgs, argv);
      const c = client();
      const networks = o.network ?? [DEFAULT_NETWORK];
      if (networks.includes("none")) {
        if (networks.length > 1) throw new CliError("--network none cannot be combined with other networks", 125);
        process.stderr.write("netd: warning: --network none: the command gets loopback only, no network\n");
        if ((o.publish?.length ?? 0) > 0) process.stderr.write("netd: warning: -p with --network none publishes nothing\n");
      }
      const body = sandboxBody({ ...o, network: networks.filter((n) => n !== "none") });
      let sb: SandboxView;
      try {
        sb = await c.call<SandboxView>("POST", "/sandboxes", body);
      } catch (e) {
        throw new CliError((e as Error).message, 125, (e as CliError).code);
      }
      // The resolv.conf netd recommends (networks' DNS, or --dns/--dns-search/--dns-option) as the command's /etc/resolv.conf.
      const conf = await c.raw("GET", `/sandboxes/${seg(sb.Id)}/resolv.conf`).catch(() => null);
      const status = await execInNetns(sb.Netns, argv, conf?.status === 200 ? { resolvConf: conf.text } : {});
      if (o.rm) {
        try {
          await c.call("DELETE", `/sandboxes/${seg(sb.Id)}`);
        } catch (e) {
          throw new CliError(`the command exited ${status}, but removing sandbox ${sb.Name} failed: ${(e as Error).message}\nremove it when netd is back: netd sandbox rm ${sb.Name}`, 125, (e as CliError).code);
        }
      }
      process.exitCode = status;
    });
}
