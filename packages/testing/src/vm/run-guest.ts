import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { guestMemoryMb, guestTimeoutMs } from "./config.js";
import { VmSetupError } from "./errors.js";

/** Options of {@link runGuest}. */
export interface GuestRun {
  readonly vmlinuz: string;
  readonly initrd: string;
  /** Shared read-only at the same path inside the guest (overlaid with tmpfs). */
  readonly repo: string;
  /** Shared writable as /out: the plan in, the vitest reports out. */
  readonly out: string;
  /** Receives the serial console as it arrives. */
  readonly onOutput?: (text: string) => void;
}

/** What the guest said. */
export interface GuestOutcome {
  /** The RESULT_JSON marker was seen: /init reached its end. */
  readonly completed: boolean;
  readonly timedOut: boolean;
  /** vitest exit status per package id (NETD_VM_EXIT lines). */
  readonly exits: ReadonlyMap<string, number>;
  /** qemu start to qemu exit. */
  readonly wallMs: number;
  /** Guest uptime when /init had mounted everything (the "boot time"), if printed. */
  readonly bootSeconds?: number;
  readonly console: string;
}

const QEMU = "qemu-system-x86_64";

/**
 * Boots the guest once under qemu (software emulation; no /dev/kvm needed, no network) and
 * waits for it to power off. qemu exits 0 also when the guest panics, so the outcome comes
 * only from the console markers. Killed by PID after the timeout (NETD_VM_TIMEOUT_MS).
 */
export function runGuest(run: GuestRun): Promise<GuestOutcome> {
  const qemu = ["/usr/bin", "/usr/local/bin"].map((d) => `${d}/${QEMU}`).find((p) => existsSync(p));
  if (qemu === undefined) {
    return Promise.reject(
      new VmSetupError("VM_QEMU_MISSING", `${QEMU} is not installed: apt-get install --no-install-recommends qemu-system-x86 (scripts/bootstrap.sh does)`),
    );
  }
  const share = (path: string, tag: string, extra: string) => `local,path=${path},mount_tag=${tag},security_model=none${extra}`;
  const args = [
    ...(existsSync("/dev/kvm") && process.env["NETD_VM_KVM"] !== "0" ? ["-enable-kvm", "-cpu", "host"] : []),
    "-m", String(guestMemoryMb()), "-smp", "2", "-nographic", "-no-reboot", "-nic", "none",
    "-kernel", run.vmlinuz, "-initrd", run.initrd,
    "-append", "console=ttyS0 quiet panic=-1 rdinit=/init",
    "-virtfs", share(run.repo, "repo", ",readonly=on"),
    "-virtfs", share(run.out, "out", ""),
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(qemu, args, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    let timedOut = false;
    const onData = (chunk: string): void => {
      text += chunk;
      run.onOutput?.(chunk);
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, guestTimeoutMs());
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new VmSetupError("VM_QEMU_START", `cannot start ${qemu}: ${err.message}`, { cause: err }));
    });
    child.on("close", () => {
      clearTimeout(timer);
      const exits = new Map<string, number>();
      for (const m of text.matchAll(/NETD_VM_EXIT (\S+) (\d+)/g)) exits.set(m[1]!, Number(m[2]));
      const boot = /netd-vm: guest ready after ([\d.]+) s/.exec(text);
      resolve({
        completed: /RESULT_JSON \{"done":true/.test(text),
        timedOut,
        exits,
        wallMs: Date.now() - started,
        ...(boot ? { bootSeconds: Number(boot[1]) } : {}),
        console: text,
      });
    });
  });
}
