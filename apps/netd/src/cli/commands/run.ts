/**
 * `netd run [--rm] [--name N] [--network NET]... [-p SPEC]... -- CMD...`: creates a sandbox
 * (joining the networks, publishing the ports), runs CMD inside its namespace with the
 * terminal's stdio and exits with CMD's status; `--rm` deletes the sandbox afterwards. A
 * failure before CMD starts exits with 125, as `docker run` does.
 */
import type { Command } from "commander";
import type { ApiClient } from "../client.js";
import { CliError, seg } from "../client.js";
import { execInNetns } from "@netd/kernel/exec";
import type { CreateFlags, SandboxView } from "./sandbox.js";
import { sandboxBody, withCreateFlags } from "./sandbox.js";

/** Registers `run`. */
export function runCommand(program: Command, client: () => ApiClient): void {
  withCreateFlags(program.command("run").description("run a command in a fresh sandbox").argument("<cmd...>", "the command and its arguments (after --)"))
    .option("--rm", "delete the sandbox when the command exits")
    .action(async (argv: string[], o: CreateFlags & { rm?: boolean }) => {
      const c = client();
      if ((o.publish?.length ?? 0) > 0 && (o.network?.length ?? 0) === 0) {
        process.stderr.write("netd: warning: -p without --network publishes nothing until the sandbox joins a network\n");
      }
      let sb: SandboxView;
      try {
        sb = await c.call<SandboxView>("POST", "/sandboxes", sandboxBody(o));
      } catch (e) {
        throw new CliError((e as Error).message, 125, (e as CliError).code);
      }
      const status = await execInNetns(sb.Netns, argv);
      if (o.rm) {
        try {
          await c.call("DELETE", `/sandboxes/${seg(sb.Id)}`);
        } catch (e) {
          process.stderr.write(`netd: removing sandbox ${sb.Name} failed: ${(e as Error).message}\n`);
        }
      }
      process.exitCode = status;
    });
}
