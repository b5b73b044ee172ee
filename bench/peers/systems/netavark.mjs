// Podman's netavark (Debian package), driven as Podman drives it: one `netavark setup` /
// `teardown` process per attach / detach, the network and the container's static IPs and
// port mappings in its JSON options on stdin, run inside the system's host namespace.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUBNET4, GATEWAY4, SUBNET6, GATEWAY6, runOk } from "../util.mjs";

export const NETAVARK = "/usr/lib/podman/netavark";

export async function createNetavark({ host }) {
  const config = mkdtempSync(join(tmpdir(), "netavark-bench-"));
  const network = {
    dns_enabled: false,
    driver: "bridge",
    id: randomBytes(32).toString("hex"),
    internal: false,
    ipv6_enabled: true,
    name: "bench",
    network_interface: "nvbench0",
    subnets: [{ subnet: SUBNET4, gateway: GATEWAY4 }, { subnet: SUBNET6, gateway: GATEWAY6 }],
  };
  const version = (await runOk(NETAVARK, ["--version"])).stdout.trim();
  const options = (slot, id) => JSON.stringify({
    container_id: id,
    container_name: `s${slot.i}`,
    networks: { bench: { interface_name: "eth0", static_ips: [slot.ip4, slot.ip6] } },
    network_info: { bench: network },
    port_mappings: slot.ports.map((p) => ({ container_port: p.container, host_ip: "", host_port: p.host, protocol: "tcp", range: 1 })),
  });
  const exec = (verb, slot, id) => runOk(NETAVARK, ["--config", config, verb, slot.netns], { input: options(slot, id), netns: host });

  return {
    name: "netavark",
    version: `${version} (Debian), iptables firewall driver`,
    pid: null,
    async attach(slot) {
      const id = randomBytes(32).toString("hex");
      await exec("setup", slot, id);
      return { slot, id };
    },
    async detach({ slot, id }) {
      await exec("teardown", slot, id);
    },
    /** Peak RSS (MiB) of one setup process, through GNU time. */
    async peakRss(slot) {
      const id = randomBytes(32).toString("hex");
      const r = await runOk("/usr/bin/time", ["-f", "%M", NETAVARK, "--config", config, "setup", slot.netns], { input: options(slot, id), netns: host });
      await exec("teardown", slot, id);
      return Number(r.stderr.trim().split("\n").pop()) / 1024;
    },
    async close() {
      rmSync(config, { recursive: true, force: true });
    },
  };
}
