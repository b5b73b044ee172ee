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
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MAIN, makeNetdWorld, rawHttp, sleep, waitFor } from "../support/netd-world.js";
import type { NetdWorld } from "../support/netd-world.js";
import { apiState, inconsistencies, joinedWithPort, randomOp, seeded, trafficTo } from "../support/crash-ops.js";

// Each kill is followed by a restart of a daemon that was started ahead of time
// (test/support/warm-netd.mjs: node's module loading is done before the kill), so a
// kill/restart/check cycle costs the daemon's restore plus the checks.
const KILLS = Number(process.env.NETD_CRASH_KILLS ?? 200);
const SEED = Number(process.env.NETD_CRASH_SEED ?? 17);
/** A published port carries traffic from the remote namespace every TRAFFIC_EVERY rounds (and all of them at the end). */
const TRAFFIC_EVERY = 5;
const WARM = join(dirname(fileURLToPath(import.meta.url)), "..", "support", "warm-netd.mjs");

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
    const args = ["daemon", "--socket", w.sock, "--data-dir", w.dataDir, "--netns-prefix", `${prefix}-`, "--userland-proxy=false", "--default-bridge=false"];
    const plain = w.node(args);
    // `node WARM MAIN ARGS…` instead of `node MAIN ARGS…`.
    const warmArgv = [...plain.slice(0, plain.indexOf(MAIN)), WARM, ...plain.slice(plain.indexOf(MAIN))];
    let daemon: SpawnedProcess | null = null;
    // An object, not a `let`: the closures below assign it, which narrowing cannot see.
    const pool: { spare: SpawnedProcess | null } = { spare: null };
    const warm = () => env().spawnIn(w.host, warmArgv);
    // The next daemon: the spare (once its modules are loaded) gets the go; a new spare starts loading.
    const spawn = async () => {
      const next = pool.spare ?? (await warm());
      pool.spare = null;
      await waitFor("a warm netd", () => next.output().includes("warm"), () => next.output(), 60_000, 20);
      process.kill(next.pid, "SIGUSR2");
      daemon = next;
    };
    const ready = async () => {
      await waitFor("netd to answer /_ping", async () => (await rawHttp(w.sock, "GET", "/_ping").catch(() => null))?.status === 200, () => daemon?.output() ?? "", 60_000, 20);
      pool.spare ??= await warm();
    };
    const kill = async () => {
      const pid = daemon!.pid;
      process.kill(pid, "SIGKILL");
      await waitFor(`netd ${pid} to die`, () => !alive(pid), () => "", 10_000, 5);
      await daemon!.stop();
    };
    const figures = { ops: 0, answered: 0, inFlightAtKill: 0, kills: 0, restoreKills: 0, checks: 0, traffic: 0, restartMs: [] as number[] };
    const statuses = new Map<string, number>();
    const started = Date.now();

    await spawn();
    await ready();
    for (let round = 0; figures.kills < KILLS; round++) {
      // One or two operations that finish (so there is state to break), then a few in
      // flight and the kill at a random instant.
      const settled = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => randomOp(w, rnd));
      const settledAnswers: string[] = [];
      for (const op of settled) settledAnswers.push(`${op.label}=${await op.run()}`);
      figures.ops += settled.length;
      figures.answered += settled.length;
      const ops = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => randomOp(w, rnd));
      figures.ops += ops.length;
      const answers: string[] = ops.map(() => "-");
      const inFlight = ops.map((op, i) =>
        op.run().then(
          (status) => {
            figures.answered++;
            answers[i] = String(status);
            const key = `${op.label.split(" ").slice(0, 2).join(" ")} ${status}`;
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
          },
          () => undefined,
        ),
      );
      const killAt = Math.floor(rnd() * 300);
      await sleep(killAt);
      const pending = answers.filter((a) => a === "-").length;
      figures.inFlightAtKill += pending;
      await kill();
      figures.kills++;
      await Promise.all(inFlight);
      let restoreKill = "";
      if (rnd() < 0.15) {
        // Killed again while restoring.
        await spawn();
        const at = Math.floor(rnd() * 300);
        await sleep(at);
        await kill();
        figures.kills++;
        figures.restoreKills++;
        restoreKill = `, killed again ${at} ms into restore`;
      }
      const t0 = Date.now();
      await spawn();
      await ready();
      figures.restartMs.push(Date.now() - t0);
      const state = await apiState(w);
      const problems = await inconsistencies(w, state, prefix, testNamespaces);
      figures.checks++;
      const joined = joinedWithPort(state);
      console.log(
        `round ${round}: ${settledAnswers.join(", ")}; in flight: ${ops.map((o, i) => `${o.label}=${answers[i]}`).join(", ")}; kill at ${killAt} ms (${pending} in flight)${restoreKill}; ` +
          `restart ${Date.now() - t0} ms; check: ${state.networks.length} networks, ${state.sandboxes.length} sandboxes, ${joined.length} published, ${problems.length === 0 ? "kernel = API" : problems.join("; ")}`,
      );
      expect(problems, `round ${round} (seed ${SEED}), after ${ops.map((o) => o.label).join(", ")}`).toEqual([]);
      if (joined.length > 0 && round % TRAFFIC_EVERY === 0) {
        await trafficTo(w, joined[Math.floor(rnd() * joined.length)]!, `r${round}`);
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
    const sorted = [...figures.restartMs].sort((a, b) => a - b);
    console.log(`answers: ${[...statuses].sort().map(([k, v]) => `${k}: ${v}`).join(", ")}`);
    console.log(
      `crash test (seed ${SEED}): ${figures.ops} ops (${figures.answered} answered, ${figures.inFlightAtKill} in flight at a kill), ${figures.kills} kills (${figures.restoreKills} during restore), ` +
        `${figures.checks} kernel-vs-API checks, ${figures.traffic} published ports carried traffic, restart median ${sorted[Math.floor(sorted.length / 2)]} ms, ${secs} s`,
    );
    expect(figures.kills).toBeGreaterThanOrEqual(KILLS);
    // Leave the env clean: everything goes through the API.
    for (const sb of final.sandboxes) expect((await w.http("DELETE", `/sandboxes/${sb.Id}`)).status).toBe(200);
    for (const n of final.networks) expect((await w.http("DELETE", `/networks/${n.Id}`)).status).toBe(204);
    expect(await inconsistencies(w, await apiState(w), prefix, testNamespaces)).toEqual([]);
    await daemon!.stop();
    await pool.spare?.stop();
  }, Math.max(240_000, KILLS * 12_000));
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
