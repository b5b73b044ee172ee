/**
 * Real CNI clients nobody on this project wrote (Debian 12 packages, see scripts/bootstrap.sh):
 * podman 4.3 with network_backend = "cni", and containerd's `ctr run --rm --cni`. Each script
 * runs in its own network + mount namespace with private /run, /var/lib, /etc/cni/net.d and
 * /opt/cni/bin, starts the built netd there and drives the built netd-cni through the client.
 * The scripts check packets and leftovers themselves and end with "E2E: PASS" or "E2E: FAIL".
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { NETD_MAIN, sleep } from "../support/cni-world.js";

const here = dirname(fileURLToPath(import.meta.url));
const DIST = join(here, "..", "..", "dist");

describe("real CNI clients", () => {
  const env = useTestEnv("cni-clients");

  async function runScript(script: string, marker: string): Promise<string> {
    const ns = await env().netns("outer");
    // netOnly (nsenter --net): `ip netns exec` would hide the cgroup mounts runc needs.
    const p = await env().spawnIn(ns, ["bash", join(here, "..", "e2e", script), DIST, NETD_MAIN], { netOnly: true });
    const deadline = Date.now() + 240_000;
    while (!/E2E: (PASS|FAIL)/.test(p.output())) {
      if (Date.now() > deadline) throw new Error(`${script} did not finish:\n${p.output()}`);
      await sleep(250);
    }
    // The script's EXIT trap stops its containers and netd; give it time before cleanup kills it.
    for (let i = 0; i < 80 && (await ns.exec(["kill", "-0", String(p.pid)])).code === 0; i++) await sleep(250);
    expect(p.output(), p.output()).toContain(`${marker} E2E: PASS`);
    return p.output();
  }

  it("podman runs a container on a netd-cni network with -p 8080:80, reachable from another namespace and the host; rm leaves nothing", async () => {
    const out = await runScript("podman-e2e.sh", "PODMAN");
    expect(out).toContain("published from another namespace: 1, from the host: 1, container IP: 1");
    expect(out).toContain("left after rm: netd sandboxes 0, veths 0, nft 8080 entries 0, libcni cache 0");
  }, 300_000);

  it("ctr run --rm --cni gets a working network; the empty-netns DEL after the task died leaves nothing", async () => {
    const out = await runScript("ctr-e2e.sh", "CTR");
    expect(out).toMatch(/netd sandboxes: \["\/proc\/\d+\/ns\/net"\]/);
    expect(out).toContain("left after DEL: netd sandboxes 0, veths 0, libcni cache 0");
  }, 300_000);
});
