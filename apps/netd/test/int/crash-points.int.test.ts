// kill -9 of the real daemon at exact points (issue 17, D1-D5): the daemon runs with
// NETD_TEST_KILL_AT (src/daemon/kill-at.ts) and SIGKILLs itself right after a given kernel
// call or store record of one API operation. The test first shows what the kill left (the
// kernel no longer matches what the API showed before the operation), then restarts netd
// normally: the kernel must equal the API, the operation can be repeated, and published ports
// carry traffic from another namespace.
import { afterEach, describe, expect, it } from "vitest";
import { useTestEnv } from "@netd/testing";
import { makeNetdWorld, sleep, waitFor } from "../support/netd-world.js";
import type { NetdWorld, SandboxJson } from "../support/netd-world.js";
import { HOST_PORT_BASE, apiState, inconsistencies, trafficTo } from "../support/crash-ops.js";
import type { ApiState } from "../support/crash-ops.js";

interface Point {
  readonly defect: string;
  /** NETD_TEST_KILL_AT */
  readonly at: string;
  /** Objects made before the killed operation (through a normally running daemon). */
  readonly setup: (w: NetdWorld) => Promise<void>;
  /** The operation the kill interrupts. */
  readonly op: (w: NetdWorld) => Promise<unknown>;
  /** True when the kill leaves the kernel unlike the API before the operation (a kernel leftover). */
  readonly leavesKernel: boolean;
  /** After the restart: the operation (or its undo) is repeatable, and what must hold. */
  readonly after: (w: NetdWorld) => Promise<void>;
}

const network = (w: NetdWorld, name = "n1", x = 1) => w.http("POST", "/networks/create", { Name: name, IPAM: { Config: [{ Subnet: `10.240.${x}.0/24` }] } });
const sandbox = (w: NetdWorld, name = "s1") => w.http("POST", "/sandboxes", { Name: name, PortBindings: { "80/tcp": [{ HostPort: String(HOST_PORT_BASE) }] } });
const connect = (w: NetdWorld, n = "n1", s = "s1") => w.http("POST", `/networks/${n}/connect`, { Container: s });
const inspect = async (w: NetdWorld, s = "s1") => (await w.http("GET", `/sandboxes/${s}`)).body as SandboxJson;
const ok = async (p: Promise<{ status: number; text: string }>, want: number) => {
  const r = await p;
  expect(r.status, r.text).toBe(want);
};

const points: Point[] = [
  {
    defect: "D1 network create, killed right after the bridge was made",
    at: "kernel:links.addBridge:1",
    setup: async () => {},
    op: (w) => network(w),
    leavesKernel: true,
    after: async (w) => {
      expect((await apiState(w)).networks).toEqual([]);
      await ok(network(w), 201);
    },
  },
  {
    defect: "D2 connect, killed right after its intent record",
    at: "store:intent:1",
    setup: async (w) => {
      await ok(network(w), 201);
      await ok(sandbox(w), 201);
    },
    op: (w) => connect(w),
    leavesKernel: false,
    after: async (w) => {
      expect(Object.keys((await inspect(w)).Networks ?? {})).toEqual([]);
      // No endpoint is left that blocks the network's delete.
      await ok(w.http("DELETE", "/networks/n1"), 204);
    },
  },
  {
    defect: "D3 join, killed right after the default route (veth and addresses made)",
    at: "kernel:routes.add:1",
    setup: async (w) => {
      await ok(network(w), 201);
      await ok(sandbox(w), 201);
    },
    op: (w) => connect(w),
    leavesKernel: true,
    after: async (w) => {
      expect(Object.keys((await inspect(w)).Networks ?? {})).toEqual([]);
      await ok(connect(w), 200);
      await trafficTo(w, await inspect(w), "d3");
    },
  },
  {
    defect: "D4 sandbox create, killed right after its namespace was made",
    at: "kernel:netns.create:1",
    setup: async () => {},
    op: (w) => sandbox(w),
    leavesKernel: true,
    after: async (w) => {
      expect((await apiState(w)).sandboxes).toEqual([]);
      await ok(sandbox(w), 201);
    },
  },
  {
    defect: "D5 disconnect, killed right after the veth was deleted",
    at: "kernel:links.delete:1",
    setup: async (w) => {
      await ok(network(w), 201);
      await ok(sandbox(w), 201);
      await ok(connect(w), 200);
    },
    op: (w) => w.http("POST", "/networks/n1/disconnect", { Container: "s1" }),
    leavesKernel: true,
    after: async (w) => {
      // Finished, not half-done: the endpoint is gone, and a new connect works end to end.
      expect(Object.keys((await inspect(w)).Networks ?? {})).toEqual([]);
      await ok(connect(w), 200);
      await trafficTo(w, await inspect(w), "d5");
    },
  },
  {
    defect: "connect, killed right after its commit (before the answer): it is done",
    at: "store:endpoint:1",
    setup: async (w) => {
      await ok(network(w), 201);
      await ok(sandbox(w), 201);
    },
    op: (w) => connect(w),
    leavesKernel: false,
    after: async (w) => {
      expect(Object.keys((await inspect(w)).Networks ?? {})).toEqual(["n1"]);
      await trafficTo(w, await inspect(w), "committed");
    },
  },
];

describe("kill -9 at exact kernel calls and store records", () => {
  const env = useTestEnv("netd-crashpt");
  let world: NetdWorld | null = null;
  afterEach(() => {
    world?.dispose();
    world = null;
  });

  for (const p of points) {
    it(`${p.defect} (${p.at}): the restart leaves kernel = API and the operation repeatable`, async () => {
      const w = (world = await makeNetdWorld(env()));
      const prefix = env().prefix;
      const testNs = [w.host.name, w.remote.name];
      // No default network: the test compares every bridge in the kernel with its own networks.
      const flags = ["--userland-proxy=false", "--default-bridge=false"];
      await w.start(flags);
      await p.setup(w);
      const before: ApiState = await apiState(w);
      await w.daemon!.stop();

      const doomed = await w.start(flags, { NETD_TEST_KILL_AT: p.at });
      const answer = await p.op(w).then(
        (r) => `answered ${JSON.stringify(r)}`,
        (e: unknown) => `no answer (${String(e)})`,
      );
      await waitFor(`netd to kill itself at ${p.at}`, () => !alive(doomed.pid), () => `${answer}\n${doomed.output()}`, 15_000);
      expect(doomed.output()).toContain(`NETD_TEST_KILL_AT=${p.at}: killing myself`);
      await doomed.stop();
      const left = await inconsistencies(w, before, prefix, testNs);
      console.log(`${p.defect}: killed at ${p.at}; ${answer.slice(0, 60)}; left in the kernel: ${left.length === 0 ? "nothing" : left.join("; ")}`);
      if (p.leavesKernel) expect(left, "the kill must leave something for restore to clean up").not.toEqual([]);

      await sleep(50);
      await w.start(flags);
      const problems = await inconsistencies(w, await apiState(w), prefix, testNs);
      console.log(`${p.defect}: after restart: ${problems.length === 0 ? "kernel = API" : problems.join("; ")}`);
      expect(problems).toEqual([]);
      await p.after(w);
      expect(await inconsistencies(w, await apiState(w), prefix, testNs)).toEqual([]);
      const final = await apiState(w);
      for (const sb of final.sandboxes) await ok(w.http("DELETE", `/sandboxes/${sb.Id}`), 200);
      for (const n of final.networks) await ok(w.http("DELETE", `/networks/${n.Id}`), 204);
      await w.daemon!.stop();
    }, 120_000);
  }
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
