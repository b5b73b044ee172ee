/**
 * Drivers loaded from the config file, end to end through the real daemon: the macvlan
 * example (built in this workspace, loaded by path) over a parent link in the test's host
 * namespace; gateway selection between a macvlan and a bridge network per gw-priority;
 * broken driver modules stop startup with a message naming the module and the reason.
 *
 *   sandboxes ── macvlan ── parent up0 (host) ══ veth ══ eth0 (remote: 10.197.0.100/24, 192.0.2.1 on lo)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { useTestEnv } from "@netd/testing";
import { afterEach, describe, expect, it } from "vitest";
import { makeNetdWorld, type NetdWorld, type SandboxJson } from "../support/netd-world.js";

const MACVLAN = fileURLToPath(new URL("../../../../examples/driver-macvlan/dist/index.js", import.meta.url));

describe("netd with drivers from its config file", () => {
  const env = useTestEnv("netd-drivers");
  let world: NetdWorld | null = null;
  let dir: string | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });
  const config = (drivers: unknown[]): string => {
    dir ??= mkdtempSync(join(tmpdir(), `${env().prefix}-cfg-`));
    const file = join(dir, "netd.json");
    writeFileSync(file, JSON.stringify({ drivers }));
    return file;
  };
  const inSandbox = async (w: NetdWorld, name: string, argv: string[]) => {
    const sb = await w.adoptSandbox(name);
    return w.host.exec(["nsenter", `--net=${sb.Netns}`, ...argv]);
  };

  it("loads the macvlan example: listed with its version; two sandboxes on a macvlan network exchange packets; gw-priority picks the gateway between macvlan and bridge", async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.remote.exec(["ip", "addr", "add", "10.197.0.100/24", "dev", "eth0"]);
    await w.remote.exec(["ip", "addr", "add", "192.0.2.1/32", "dev", "lo"]);
    await w.start(["--config", config([MACVLAN])]);

    const drivers = JSON.parse(await w.ok(["drivers", "--format", "json"])) as Array<Record<string, unknown>>;
    expect(drivers).toContainEqual({ Name: "macvlan", ApiVersion: 2, Source: MACVLAN, Package: "@netd/driver-macvlan", Version: "0.0.0" });
    expect(drivers.map((d) => d.Name)).toEqual(["bridge", "routed", "ipvlan", "macvlan"]);
    expect(await w.ok(["drivers"])).toMatch(/^macvlan\s+2\s+@netd\/driver-macvlan\s+0\.0\.0\s+/m);

    await w.ok(["network", "create", "-d", "macvlan", "-o", "parent=up0", "--subnet", "10.197.0.0/24", "--gateway", "10.197.0.100", "mv"]);
    await w.ok(["network", "create", "--subnet", "10.196.0.0/24", "br"]);
    await w.ok(["sandbox", "create", "--name", "s1", "--network", "mv"]);
    await w.ok(["sandbox", "create", "--name", "s2", "--network", "mv"]);
    const s2 = (JSON.parse(await w.ok(["sandbox", "inspect", "s2"])) as SandboxJson[])[0]!;
    const ping = (name: string, to: string) => inSandbox(w, name, ["ping", "-c1", "-W2", to]);
    expect((await ping("s1", s2.Networks.mv!.IPAddress)).code).toBe(0);
    expect((await ping("s1", "10.197.0.100")).code).toBe(0);
    expect((await ping("s2", "192.0.2.1")).code).toBe(0);

    // Bridge first, then macvlan with a higher priority: macvlan's gateway wins.
    await w.ok(["sandbox", "create", "--name", "s3", "--network", "br"]);
    await w.ok(["network", "connect", "--gw-priority", "10", "mv", "s3"]);
    expect((await inSandbox(w, "s3", ["ip", "-4", "route", "show", "default"])).stdout).toMatch(/^default via 10\.197\.0\.100 dev eth1/);
    expect((await ping("s3", "192.0.2.1")).code).toBe(0);
    // Macvlan first, then the bridge with a higher priority: the bridge's gateway wins.
    await w.ok(["sandbox", "create", "--name", "s4", "--network", "mv"]);
    await w.ok(["network", "connect", "--gw-priority", "10", "br", "s4"]);
    expect((await inSandbox(w, "s4", ["ip", "-4", "route", "show", "default"])).stdout).toMatch(/^default via 10\.196\.0\.1 dev eth1/);
    // Disconnecting the bridge hands the gateway back to macvlan.
    await w.ok(["network", "disconnect", "br", "s4"]);
    expect((await inSandbox(w, "s4", ["ip", "-4", "route", "show", "default"])).stdout).toMatch(/^default via 10\.197\.0\.100 dev eth0/);

    for (const s of ["s1", "s2", "s3", "s4"]) await w.ok(["sandbox", "rm", s]);
    await w.ok(["network", "rm", "mv", "br"]);
  });

  it("a broken driver module stops startup with a message naming it and why", async () => {
    const w = (world = await makeNetdWorld(env()));
    dir = mkdtempSync(join(tmpdir(), `${env().prefix}-cfg-`));
    const mod = (name: string, text: string) => {
      writeFileSync(join(dir!, name), text);
      return `./${name}`;
    };
    const cases: Array<[string, string, RegExp]> = [
      [mod("throws.mjs", 'throw new Error("broken on purpose");'), "throws on import", /cannot load driver module '.*throws\.mjs' .*importing it threw Error: broken on purpose/],
      [mod("old.mjs", `export default { name: "old", apiVersion: 1, capabilities: {}, createNetwork() {}, deleteNetwork() {}, join() {}, leave() {} };`), "wrong apiVersion", /driver 'old' declares apiVersion 1 but this netd implements driver API version 2/],
      [mod("dup.mjs", `export default { name: "bridge", apiVersion: 2, capabilities: {}, createNetwork() {}, deleteNetwork() {}, join() {}, leave() {} };`), "duplicate name", /driver name 'bridge' is already taken by a built-in driver/],
    ];
    for (const [entry, what, message] of cases) {
      const file = join(dir, `${what.replace(/ /g, "-")}.json`);
      writeFileSync(file, JSON.stringify({ drivers: [entry] }));
      const r = await w.host.exec(w.node(["daemon", "--socket", w.sock, "--data-dir", w.dataDir, "--netns-prefix", `${env().prefix}-`, "--config", file]), { timeoutMs: 30_000 });
      expect(r.code, `${what}: ${r.stdout}${r.stderr}`).not.toBe(0);
      expect(r.stderr, what).toMatch(message);
    }
  });
});
