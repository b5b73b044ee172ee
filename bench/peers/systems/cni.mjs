// The CNI reference plugins (Debian's containernetworking-plugins) as a runtime drives a
// conflist: bridge (host-local IPAM) → portmap → firewall, each plugin a process called with
// the CNI environment variables and its config (plus prevResult) on stdin; DEL in reverse.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUBNET4, GATEWAY4, SUBNET6, GATEWAY6, runOk } from "../util.mjs";

export const CNI_PATH = "/usr/lib/cni";

export async function createCni({ host }) {
  const dataDir = mkdtempSync(join(tmpdir(), "cni-bench-"));
  const base = { cniVersion: "1.0.0", name: "bench" };
  const bridge = {
    ...base,
    type: "bridge",
    bridge: "cnibench0",
    isGateway: true,
    ipMasq: true,
    hairpinMode: true,
    ipam: {
      type: "host-local",
      dataDir,
      ranges: [[{ subnet: SUBNET4, gateway: GATEWAY4 }], [{ subnet: SUBNET6, gateway: GATEWAY6 }]],
      routes: [{ dst: "0.0.0.0/0" }, { dst: "::/0" }],
    },
  };
  const portmap = { ...base, type: "portmap", capabilities: { portMappings: true }, snat: true };
  const firewall = { ...base, type: "firewall", backend: "iptables" };
  const version = (await runOk(join(CNI_PATH, "bridge"), [], { env: { CNI_COMMAND: "VERSION" }, input: "{}" })).stdout.trim();

  const env = (cmd, slot, id) => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: id, CNI_NETNS: slot.netns, CNI_IFNAME: "eth0", CNI_PATH });
  const conf = (plugin, slot, prevResult) => {
    const c = { ...plugin };
    if (prevResult) c.prevResult = prevResult;
    if (plugin.type === "portmap") c.runtimeConfig = { portMappings: slot.ports.map((p) => ({ hostPort: p.host, containerPort: p.container, protocol: "tcp" })) };
    return JSON.stringify(c);
  };
  const call = (plugin, cmd, slot, id, prev) => runOk(join(CNI_PATH, plugin.type), [], { env: env(cmd, slot, id), input: conf(plugin, slot, prev), netns: host });

  return {
    name: "cni",
    version: `containernetworking-plugins ${/version ([^\s,]+)/.exec(version)?.[1] ?? "(Debian 1.1.1)"}: bridge+host-local → portmap → firewall (iptables)`,
    pid: null,
    async attach(slot) {
      const id = `bench-${slot.i}-${Date.now()}`;
      let result = JSON.parse((await call(bridge, "ADD", slot, id)).stdout);
      result = JSON.parse((await call(portmap, "ADD", slot, id, result)).stdout);
      result = JSON.parse((await call(firewall, "ADD", slot, id, result)).stdout);
      return { slot, id, result };
    },
    async detach({ slot, id, result }) {
      for (const p of [firewall, portmap, bridge]) await call(p, "DEL", slot, id, result);
    },
    async close() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
