// kill -9 of the real daemon at random moments (issue 17): a seeded random sequence of API
// operations (network create/delete, sandbox create/delete with a published port, connect,
// disconnect) is fired at netd in a test namespace; netd is SIGKILLed while requests are in
// flight, and sometimes again while it restores. After every restart the kernel must match
// the API exactly (bridges, veths, namespaces, nft elements, host-port sockets: nothing leaked,
// nothing missing) and one surviving published port (a sample) carries traffic from another
// namespace; at the end every surviving published port is checked.
// NETD_CRASH_KILLS sets the number of kills (CI default below; `pnpm test:soak` runs more),
// NETD_CRASH_SEED the seed.
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import type { SpawnedProcess } from "@netd/testing";
import { HOST4, echoServerArgv, makeNetdWorld, rawHttp, sleep, waitFor } from "../support/netd-world.js";
import type { NetdWorld, SandboxJson } from "../support/netd-world.js";
import { apiState, inconsistencies, randomOp, seeded } from "../support/crash-ops.js";
import type { ApiState } from "../support/crash-ops.js";

// Each kill costs a daemon start (node + restore), about 4-5 s on the 2-core CI machine.
const KILLS = Number(process.env.NETD_CRASH_KILLS ?? 30);
const SEED = Number(process.env.NETD_CRASH_SEED ?? 17);

describe("kill -9 at random moments, restart, compare", () => {
  const env = useTestEnv("netd-crash");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });

  it(`${KILLS} kills (seed ${SEED}): after every restart the kernel equals the API and published ports carry traffic`, async () => {
    const w = (world = await makeNetdWorld(env()));
    const rnd = seeded(SEED);
    const prefix = env().prefix;
    const testNamespaces = [w.host.name, w.remote.name];
    const args = ["daemon", "--socket", w.sock, "--data-dir", w.dataDir, "--netns-prefix", `${prefix}-`, "--userland-proxy=false"];
    let daemon: SpawnedProcess | null = null;
    const spawn = async () => (daemon = await env().spawnIn(w.host, w.node(args)));
    const ready = async () => {
      await waitFor("netd to answer /_ping", async () => (await rawHttp(w.sock, "GET", "/_ping").catch(() => null))?.status === 200, () => daemon?.output() ?? "", 30_000);
    };
    const kill = async () => {
      const pid = daemon!.pid;
      process.kill(pid, "SIGKILL");
      await waitFor(`netd ${pid} to die`, () => !alive(pid), () => "");
    };
    const figures = { ops: 0, answered: 0, kills: 0, restoreKills: 0, checks: 0, traffic: 0 };
    const statuses = new Map<string, number>();
    const started = Date.now();

    await spawn();
    await ready();
    for (let round = 0; round < KILLS; round++) {
      // A few operations in flight, then the kill at a random instant.
      const ops = Array.from({ length: 2 + Math.floor(rnd() * 4) }, () => randomOp(w, rnd));
      figures.ops += ops.length;
      const inFlight = ops.map((op) =>
        op.run().then(
          (status) => {
            figures.answered++;
            const key = `${op.label.split(" ").slice(0, 2).join(" ")} ${status}`;
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
          },
          () => undefined,
        ),
      );
      await sleep(Math.floor(rnd() * 400));
      await kill();
      figures.kills++;
      await Promise.all(inFlight);
      if (rnd() < 0.15) {
        // Killed again while restoring.
        await spawn();
        await sleep(100 + Math.floor(rnd() * 300));
        await kill();
        figures.kills++;
        figures.restoreKills++;
      }
      await spawn();
      await ready();
      const state = await apiState(w);
      const problems = await inconsistencies(w, state, prefix, testNamespaces);
      figures.checks++;
      expect(problems, `round ${round} (seed ${SEED}), after ${ops.map((o) => o.label).join(", ")}`).toEqual([]);
      const sample = joinedWithPort(state);
      if (sample.length > 0) {
        await trafficTo(w, sample[Math.floor(rnd() * sample.length)]!, `r${round}`);
        figures.traffic++;
      }
    }
    const final = await apiState(w);
    console.log(`final state: ${final.networks.length} networks; sandboxes ${JSON.stringify(final.sandboxes.map((sb) => [sb.Name, Object.keys(sb.Networks ?? {}), sb.Ports]))}`);
    for (const sb of joinedWithPort(final)) {
      await trafficTo(w, sb, "final");
      figures.traffic++;
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`answers: ${[...statuses].sort().map(([k, v]) => `${k}: ${v}`).join(", ")}`);
    console.log(
      `crash test (seed ${SEED}): ${figures.ops} ops (${figures.answered} answered before the kill), ${figures.kills} kills (${figures.restoreKills} during restore), ` +
        `${figures.checks} kernel-vs-API checks, ${figures.traffic} published ports carried traffic, ${secs} s`,
    );
    expect(figures.kills).toBeGreaterThanOrEqual(KILLS);
    // Leave the env clean: everything goes through the API.
    for (const sb of final.sandboxes) expect((await w.http("DELETE", `/sandboxes/${sb.Id}`)).status).toBe(200);
    for (const n of final.networks) expect((await w.http("DELETE", `/networks/${n.Id}`)).status).toBe(204);
    expect(await inconsistencies(w, await apiState(w), prefix, testNamespaces)).toEqual([]);
    await daemon!.stop();
  }, Math.max(180_000, KILLS * 3_000));
});

function joinedWithPort(state: ApiState): SandboxJson[] {
  return state.sandboxes.filter((sb) => Object.keys(sb.Networks ?? {}).length > 0 && Object.values(sb.Ports ?? {}).some((l) => (l ?? []).length > 0));
}

/** An echo server in the sandbox's namespace, reached from the remote namespace through the published port. */
async function trafficTo(w: NetdWorld, sb: SandboxJson, tag: string): Promise<void> {
  const port = Number(Object.values(sb.Ports).find((l) => (l ?? []).length > 0)![0]!.HostPort);
  const server = await w.env.spawnIn(w.host, ["nsenter", `--net=${sb.Netns}`, ...echoServerArgv(tag)]);
  try {
    await waitFor(`echo server in ${sb.Name}`, () => server.output().includes("listening"), () => server.output());
    const reply = await w.env.sendAndReceive(w.remote, { proto: "tcp", address: HOST4, port, payload: sb.Name, timeoutMs: 3000 });
    expect(reply, `traffic to ${sb.Name} on ${HOST4}:${port}`).toBe(`${tag}:${sb.Name}`);
  } finally {
    await server.stop();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
