// netd through its public HTTP API: the daemon from apps/netd/dist runs inside the system's
// host namespace (nsenter --net), with its own socket and data dir; a bridge network with a
// dual-stack subnet; attach = POST /sandboxes (existing namespace, the network, the ports),
// detach = DELETE /sandboxes/{id}.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SUBNET4, GATEWAY4, SUBNET6, GATEWAY6, cpuMs, rssMiB, sleep } from "../util.mjs";

const MAIN = fileURLToPath(new URL("../../../apps/netd/dist/main.js", import.meta.url));

export async function createNetd({ host, prefix, main = MAIN, nodeArgs = [], env, name = "netd", maxSockets = 1 }) {
  const dir = mkdtempSync(join(tmpdir(), "netd-bench-"));
  const sock = join(dir, "netd.sock");
  const child = spawn("nsenter", [`--net=${host}`, "--", process.execPath, ...nodeArgs, main, "daemon", "--socket", sock, "--data-dir", join(dir, "data"), "--netns-prefix", `${prefix}-`, "--log-level", "warn"], { stdio: ["ignore", "pipe", "pipe"], env: env ? { ...process.env, ...env } : process.env });
  let output = "";
  child.stdout.on("data", (d) => (output = (output + d).slice(-4000)));
  child.stderr.on("data", (d) => (output = (output + d).slice(-4000)));
  const exited = new Promise((r) => child.on("exit", r));
  // A crash of the benchmark must not leave the daemon running.
  const killOnExit = () => child.exitCode === null && child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const agent = new http.Agent({ keepAlive: true, maxSockets });

  function call(method, path, body) {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request({ socketPath: sock, method, path, agent, headers: data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {} }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          if (res.statusCode >= 300) reject(new Error(`netd ${method} ${path}: ${res.statusCode} ${text}`));
          else if (!/json/.test(res.headers["content-type"] ?? "")) resolve(text);
          else {
            try {
              resolve(JSON.parse(text));
            } catch (e) {
              reject(e);
            }
          }
        });
      });
      req.on("error", reject);
      req.end(data);
    });
  }

  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`netd exited at start: ${output}`);
    try {
      await call("GET", "/_ping");
      break;
    } catch {
      if (i > 300) throw new Error(`netd did not answer /_ping in 30 s: ${output}`);
      await sleep(100);
    }
  }
  const version = JSON.parse(readFileSync(new URL("../../../apps/netd/package.json", import.meta.url), "utf8")).version;
  await call("POST", "/networks/create", { Name: "bench", Driver: "bridge", EnableIPv6: true, IPAM: { Config: [{ Subnet: SUBNET4, Gateway: GATEWAY4 }, { Subnet: SUBNET6, Gateway: GATEWAY6 }] } });

  return {
    name,
    version: `netd ${version} (HTTP API, userland proxy on: the default)${main === MAIN ? "" : `, built at ${main}`}`,
    pid: child.pid,
    async attach(slot) {
      const PortBindings = {};
      for (const p of slot.ports) PortBindings[`${p.container}/tcp`] = [{ HostPort: String(p.host) }];
      const sb = await call("POST", "/sandboxes", { Name: `s${slot.i}`, Netns: slot.netns, PortBindings, Networks: { bench: { IPAMConfig: { IPv4Address: slot.ip4, IPv6Address: slot.ip6 } } } });
      return sb.Id;
    },
    async detach(id) {
      await call("DELETE", `/sandboxes/${id}`);
    },
    rss: () => rssMiB(child.pid),
    cpu: () => cpuMs(child.pid),
    async close() {
      agent.destroy();
      if (child.exitCode === null) child.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null) {
        child.kill("SIGKILL");
        await Promise.race([exited, sleep(5_000)]);
      }
      // A daemon that had to be killed leaves its netd-proxy running (a graceful stop ends it):
      // end the one serving this run's socket, found by its command line, by its PID.
      for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
          if (readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(join(dir, "data", "proxy.sock"))) process.kill(Number(pid), "SIGKILL");
        } catch {
          // gone meanwhile
        }
      }
      process.off("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
