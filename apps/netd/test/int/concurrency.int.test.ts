// 200 API operations at once against the real daemon (issue 17): ~30 sandboxes on 4 networks,
// each sandbox publishing 80/tcp from a host-port range that overlaps its neighbours' ranges;
// creates with clashing names, connects, disconnects, deletes and reads all in flight together.
// Every request must be answered (no 5xx, no hang), no two sandboxes may share a name or a
// host port, the kernel must equal the API afterwards, and published ports carry traffic.
// NETD_CONCURRENCY_SEED sets the seed.
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { makeNetdWorld } from "../support/netd-world.js";
import type { NetdWorld } from "../support/netd-world.js";
import { apiState, inconsistencies, joinedWithPort, publishedPorts, seeded, trafficTo } from "../support/crash-ops.js";

const SEED = Number(process.env.NETD_CONCURRENCY_SEED ?? 17);
const OPS = 200;
const NAMES = 30;
const NETWORKS = 4;
const PORT_BASE = 18600;
/** Sandbox j publishes from PORT_BASE + 2*(j % 15) .. +9: each range overlaps four others. */
const rangeOf = (j: number): string => `${PORT_BASE + 2 * (j % 15)}-${PORT_BASE + 2 * (j % 15) + 9}`;
const PORTS = { start: PORT_BASE, end: PORT_BASE + 2 * 14 + 9 };

describe("200 parallel API operations", () => {
  const env = useTestEnv("netd-conc");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });

  it(`${OPS} operations on ${NAMES} sandboxes and ${NETWORKS} networks (seed ${SEED}): all answered, nothing duplicated, kernel = API`, async () => {
    const w = (world = await makeNetdWorld(env()));
    await w.start(["--userland-proxy=false", "--default-bridge=false"]);
    const rnd = seeded(SEED);
    for (let n = 0; n < NETWORKS; n++) expect((await w.http("POST", "/networks/create", { Name: `n${n}`, IPAM: { Config: [{ Subnet: `10.240.${n}.0/24` }] } })).status).toBe(201);

    // Two thirds of the sandboxes exist before; each of the others is created three times
    // in the mix (one create wins the name). The rest are connects (most), disconnects,
    // deletes and reads, shuffled, all sent at once.
    const ops: Array<{ label: string; run: () => Promise<number> }> = [];
    const create = (j: number) => ({ label: `create s${j}`, run: async () => (await w.http("POST", "/sandboxes", { Name: `s${j}`, PortBindings: { "80/tcp": [{ HostPort: rangeOf(j) }] } })).status });
    const existing = Math.floor((NAMES * 2) / 3);
    for (let j = 0; j < existing; j++) expect(await create(j).run()).toBe(201);
    for (let j = existing; j < NAMES; j++) ops.push(create(j), create(j), create(j));
    while (ops.length < OPS) {
      const j = Math.floor(rnd() * NAMES);
      const n = Math.floor(rnd() * NETWORKS);
      const r = rnd();
      if (r < 0.6) ops.push({ label: `connect n${n} s${j}`, run: async () => (await w.http("POST", `/networks/n${n}/connect`, { Container: `s${j}` })).status });
      else if (r < 0.78) ops.push({ label: `disconnect n${n} s${j}`, run: async () => (await w.http("POST", `/networks/n${n}/disconnect`, { Container: `s${j}` })).status });
      else if (r < 0.86) ops.push({ label: `delete s${j}`, run: async () => (await w.http("DELETE", `/sandboxes/s${j}`)).status });
      else ops.push({ label: `inspect s${j}`, run: async () => (await w.http("GET", `/sandboxes/s${j}`)).status });
    }
    for (let i = ops.length - 1; i > 0; i--) {
      const k = Math.floor(rnd() * (i + 1));
      [ops[i], ops[k]] = [ops[k]!, ops[i]!];
    }

    const started = Date.now();
    const latencies: number[] = [];
    const results = await Promise.all(
      ops.map(async (op) => {
        const t0 = Date.now();
        const status = await op.run().catch((e: unknown) => `error ${String(e)}`);
        latencies.push(Date.now() - t0);
        return { label: op.label, status };
      }),
    );
    const wall = Date.now() - started;
    const tally = new Map<string, number>();
    for (const r of results) {
      const key = `${r.label.split(" ")[0]} ${r.status}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    latencies.sort((a, b) => a - b);
    console.log(`answers: ${[...tally].sort().map(([k, v]) => `${k}: ${v}`).join(", ")}`);
    console.log(`${OPS} parallel operations answered in ${wall} ms (latency median ${latencies[latencies.length >> 1]} ms, max ${latencies[latencies.length - 1]} ms)`);

    // Every request answered, and with a status the operation can give (never a 5xx).
    const allowed: Record<string, number[]> = { create: [201, 409], connect: [200, 404, 403, 409], disconnect: [200, 404, 403], delete: [200, 404, 409], inspect: [200, 404] };
    for (const r of results) expect(allowed[r.label.split(" ")[0]!], `${r.label} answered ${r.status}`).toContain(r.status);
    // Each name was created exactly once by the creates that raced for it.
    for (let j = existing; j < NAMES; j++) {
      const wins = results.filter((r) => r.label === `create s${j}` && r.status === 201).length;
      expect(wins, `creates of s${j} that succeeded`).toBe(1);
    }

    const state = await apiState(w);
    const names = state.sandboxes.map((sb) => sb.Name);
    expect(new Set(names).size, `duplicate sandbox names in ${JSON.stringify(names)}`).toBe(names.length);
    const ports = publishedPorts(state);
    const perSandbox = joinedWithPort(state).map((sb) => new Set(Object.values(sb.Ports).flatMap((l) => (l ?? []).map((b) => b.HostPort))).size);
    expect(ports.length, "a host port published by two sandboxes").toBe(perSandbox.reduce((a, b) => a + b, 0));
    // Each published port lies in its sandbox's range.
    for (const sb of joinedWithPort(state)) {
      const [lo, hi] = rangeOf(Number(sb.Name.slice(1))).split("-").map(Number) as [number, number];
      for (const b of Object.values(sb.Ports).flatMap((l) => l ?? [])) expect(Number(b.HostPort), `${sb.Name}'s host port`).toSatisfy((p: number) => p >= lo && p <= hi);
    }
    const problems = await inconsistencies(w, state, env().prefix, [w.host.name, w.remote.name], PORTS);
    console.log(`final state: ${state.networks.length} networks, ${state.sandboxes.length} sandboxes, ${joinedWithPort(state).length} publishing ports ${JSON.stringify(ports)}; kernel vs API: ${problems.length === 0 ? "equal" : problems.join("; ")}`);
    expect(problems).toEqual([]);
    const sample = joinedWithPort(state).slice(0, 3);
    for (const sb of sample) await trafficTo(w, sb, "conc");
    console.log(`traffic through ${sample.length} published ports: ok`);

    // Leave the env clean: everything goes through the API.
    for (const sb of state.sandboxes) expect((await w.http("DELETE", `/sandboxes/${sb.Id}`)).status).toBe(200);
    for (const n of state.networks) expect((await w.http("DELETE", `/networks/${n.Id}`)).status).toBe(204);
    expect(await inconsistencies(w, await apiState(w), env().prefix, [w.host.name, w.remote.name], PORTS)).toEqual([]);
    await w.daemon?.stop();
  }, 300_000);
});
