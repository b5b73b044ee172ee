import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { guestBootTimeoutMs, guestMemoryMb, guestTimeoutMs, useKvm } from "./config.js";
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
  /** Why qemu was killed before its end, when it was: the whole-run limit, the boot limit or a KVM error. */
  readonly killed?: string;
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
 * Boots the guest once under qemu (software emulation unless {@link useKvm}; no network) and
 * waits for it to power off. qemu exits 0 also when the guest panics, so the outcome comes
 * only from the console markers. Killed by PID after the timeout (NETD_VM_TIMEOUT_MS), when
 * the guest is not ready within NETD_VM_BOOT_TIMEOUT_MS, or at once on a KVM internal error
 * (qemu then pauses the guest instead of exiting).
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
    ...(useKvm() && existsSync("/dev/kvm") ? ["-enable-kvm", "-cpu", "host"] : []),
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
    let killed: string | undefined;
    const kill = (why: string): void => {
      if (killed !== undefined) return;
      killed = why;
      child.kill("SIGKILL");
    };
    const bootTimer = setTimeout(() => {
      timedOut = true;
      kill(`the guest was not ready after ${guestBootTimeoutMs()} ms (NETD_VM_BOOT_TIMEOUT_MS)`);
    }, guestBootTimeoutMs());
    const onData = (chunk: string): void => {
      const window = text.slice(-64) + chunk; // a marker may straddle two chunks
      text += chunk;
      run.onOutput?.(chunk);
      if (window.includes("netd-vm: guest ready after")) clearTimeout(bootTimer);
      if (window.includes("KVM internal error")) kill("qemu reported a KVM internal error (run without NETD_VM_KVM=1 for software emulation)");
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    const timer = setTimeout(() => {
      timedOut = true;
      kill(`the guest was killed after ${guestTimeoutMs()} ms (NETD_VM_TIMEOUT_MS)`);
    }, guestTimeoutMs());
    child.on("error", (err) => {
      clearTimeout(timer);
      clearTimeout(bootTimer);
      reject(new VmSetupError("VM_QEMU_START", `cannot start ${qemu}: ${err.message}`, { cause: err }));
    });
    child.on("close", () => {
      clearTimeout(timer);
      clearTimeout(bootTimer);
      const exits = new Map<string, number>();
      for (const m of text.matchAll(/NETD_VM_EXIT (\S+) (\d+)/g)) exits.set(m[1]!, Number(m[2]));
      const boot = /netd-vm: guest ready after ([\d.]+) s/.exec(text);
      resolve({
        completed: /RESULT_JSON \{"done":true/.test(text),
        timedOut,
        ...(killed === undefined ? {} : { killed }),
        exits,
        wallMs: Date.now() - started,
        ...(boot ? { bootSeconds: Number(boot[1]) } : {}),
        console: text,
      });
    });
  });
}
