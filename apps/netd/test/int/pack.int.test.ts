/**
 * Installable packages: every public workspace package is packed (`pnpm pack`) and the
 * tarballs installed with plain `npm` into a scratch project outside the workspace. Then
 * (a) publint and @arethetypeswrong/cli pass for each, a consumer file importing every
 * package type-checks with `tsc` (nodenext, ESM) and runs; (b) the daemon started from the
 * installed @netd/netd bin loads @netd/driver-macvlan (installed from its tarball) through
 * its config file, and two sandboxes on a macvlan network ping each other through the API.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { useTestEnv } from "@netd/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packAndInstall, run } from "../support/packing.mjs";
import { makeNetdWorld, type NetdWorld, type SandboxJson } from "../support/netd-world.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const BIN = (name: string) => join(ROOT, "node_modules", ".bin", name);

const CONSUMER = `import { API_VERSION, NetdError, type Driver, type GatewayChange } from "@netd/driverapi";
import { createFakeKernel, type FakeKernel } from "@netd/kernel-fake";
import { checkDriver, type Finding } from "@netd/driver-test-suite";
import { createBridgeDriver } from "@netd/driver-bridge";
import { createRoutedDriver } from "@netd/driver-routed";
import { createLinuxKernel } from "@netd/kernel";
import { Controller } from "@netd/libnet-core";
import { createPortAllocator } from "@netd/portallocator";
import type * as native from "@netd/netlink-native";
import createMacvlanDriver, { MACVLAN_MODES } from "@netd/driver-macvlan";
export type NetdVersion = typeof import("@netd/netd").NETD_VERSION;

const drivers: Driver[] = [createMacvlanDriver(), createBridgeDriver(), createRoutedDriver()];
const kernel: FakeKernel = createFakeKernel();
const version: 2 = API_VERSION as 2;
const change: GatewayChange | null = null;
const findings: Promise<Finding[]> = checkDriver({ name: "macvlan", makeDriver: () => createMacvlanDriver() });
export const all = { drivers, kernel, version, change, findings, NetdError, createLinuxKernel, Controller, createPortAllocator, MACVLAN_MODES };
export type Native = typeof native;
`;

// Runtime: every library package loads from ESM (the bin and the native addon's loader are covered by the daemon below).
const RUNTIME = `const names = ["@netd/driverapi", "@netd/kernel-fake", "@netd/driver-test-suite", "@netd/driver-bridge", "@netd/driver-routed", "@netd/driver-ipvlan", "@netd/kernel", "@netd/libnet-core", "@netd/portallocator", "@netd/netlink-native", "@netd/driver-macvlan"];
for (const n of names) { const m = await import(n); if (Object.keys(m).length === 0) throw new Error(n + " exports nothing"); }
const { checkDriver } = await import("@netd/driver-test-suite");
const { default: createMacvlanDriver } = await import("@netd/driver-macvlan");
const findings = await checkDriver({ name: "macvlan", makeDriver: () => createMacvlanDriver(), networkOptions: { parent: "cfparent" }, prepare: async (k, h) => void (await k.links.addBridge(h, { name: "cfparent", up: true })), only: ["contract", "join-leave"] });
console.log(JSON.stringify({ loaded: names.length, findings }));
`;

describe("installable packages (pnpm pack, npm install, outside the workspace)", () => {
  const env = useTestEnv("netd-pack");
  let scratch = "";
  let installed: Awaited<ReturnType<typeof packAndInstall>>;
  let world: NetdWorld | null = null;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "netd-pack-"));
    installed = await packAndInstall(ROOT, scratch, ["@types/node@20.19.43"]);
  }, 300_000);
  afterAll(() => {
    world?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("publint and @arethetypeswrong/cli pass for every public package", async () => {
    expect(installed.tarballs.map((t) => t.name).sort()).toContain("@netd/driver-macvlan");
    const problems: string[] = [];
    await Promise.all(
      installed.tarballs.map(async (t) => {
        const lint = await run([BIN("publint"), "--strict", t.dir]);
        if (lint.code !== 0) problems.push(`publint ${t.name}: ${lint.stdout}${lint.stderr}`);
        const types = await run([BIN("attw"), t.tarball, "--profile", "esm-only", "--format", "ascii"]);
        if (types.code !== 0) problems.push(`attw ${t.name}: ${types.stdout}${types.stderr}`);
      }),
    );
    expect(problems).toEqual([]);
  }, 240_000);

  it("a consumer importing every package type-checks (nodenext) and runs from ESM", async () => {
    writeFileSync(join(installed.proj, "consumer.ts"), CONSUMER);
    writeFileSync(
      join(installed.proj, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] }, files: ["consumer.ts"] }),
    );
    const tsc = await run([BIN("tsc"), "-p", installed.proj]);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    writeFileSync(join(installed.proj, "runtime.mjs"), RUNTIME);
    const r = await run(["node", "runtime.mjs"], { cwd: installed.proj });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ loaded: 11, findings: [] });
  }, 240_000);

  it("the installed netd bin loads the macvlan driver from its tarball via the config file; two sandboxes ping through it", async () => {
    const w = (world = await makeNetdWorld(env(), { main: join(installed.proj, "node_modules", ".bin", "netd") }));
    const config = join(installed.proj, "netd.json");
    writeFileSync(config, JSON.stringify({ drivers: ["@netd/driver-macvlan"] }));
    await w.start(["--config", config]);
    const drivers = JSON.parse(await w.ok(["drivers", "--format", "json"])) as Array<Record<string, unknown>>;
    expect(drivers).toContainEqual({ Name: "macvlan", ApiVersion: 2, Source: "@netd/driver-macvlan", Package: "@netd/driver-macvlan", Version: "0.0.0" });
    await w.ok(["network", "create", "-d", "macvlan", "-o", "parent=up0", "-o", "macvlan_mode=bridge", "--subnet", "10.195.0.0/24", "mvp"]);
    await w.ok(["sandbox", "create", "--name", "p1", "--network", "mvp"]);
    await w.ok(["sandbox", "create", "--name", "p2", "--network", "mvp"]);
    const p1 = await w.adoptSandbox("p1");
    const p2 = (JSON.parse(await w.ok(["sandbox", "inspect", "p2"])) as SandboxJson[])[0]!;
    await w.adoptSandbox("p2");
    const ping = await w.host.exec(["nsenter", `--net=${p1.Netns}`, "ping", "-c1", "-W2", p2.Networks.mvp!.IPAddress]);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    await w.ok(["sandbox", "rm", "p1", "p2"]);
    await w.ok(["network", "rm", "mvp"]);
  });
});
