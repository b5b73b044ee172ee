// Helpers for the ports-more-* integration tests: inspect-style views of an endpoint's and a
// sandbox's bindings, and a long-lived TCP conversation (a line-echo server plus a client that
// keeps talking) to prove an established connection survives a restart of the stack.
import type { Agent, SpawnedProcess, TestEnv, TestNetns } from "@netd/testing";

/** A binding as endpointInfo reports it. */
export interface Binding {
  readonly protocol: string;
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerIp: string;
  readonly containerPort: number;
}

/** endpointInfo's bindings of one endpoint. */
export async function bindingsOf(agent: Agent, endpointId: string): Promise<Binding[]> {
  return (await agent.call<{ portBindings: Binding[] }>("endpointInfo", endpointId)).portBindings;
}

/** Host address and port as Docker prints them: `0.0.0.0:8000`, `[::]:8000`. */
export const hostAddr = (b: Pick<Binding, "hostIp" | "hostPort">): string =>
  b.hostIp.includes(":") ? `[${b.hostIp}]:${b.hostPort}` : `${b.hostIp}:${b.hostPort}`;

/**
 * Docker's NetworkSettings.Ports for a sandbox: every endpoint's bindings merged under
 * "<port>/<proto>" (sorted host addresses), plus `null` for an exposed port that has none.
 */
export async function sandboxPorts(agent: Agent, sandboxId: string, exposed: ReadonlyArray<{ protocol: string; port: number }> = []): Promise<Record<string, string[] | null>> {
  const eps = await agent.call<Array<{ id: string }>>("endpoints", { sandboxId });
  const out: Record<string, string[] | null> = {};
  for (const e of exposed) out[`${e.port}/${e.protocol}`] = null;
  for (const ep of eps) {
    for (const b of await bindingsOf(agent, ep.id)) {
      const key = `${b.containerPort}/${b.protocol}`;
      out[key] = [...(out[key] ?? []), hostAddr(b)].sort();
    }
  }
  return out;
}

/** `node -e` program: TCP server answering each line with "echo:<line>\n" (and the rest, unterminated, at end). */
const LINE_SERVER = `
"use strict";
const cfg = JSON.parse(process.argv[1]);
process.on("SIGTERM", () => process.exit(0));
const server = require("node:net").createServer({ allowHalfOpen: true }, (sock) => {
  let buf = "";
  sock.on("data", (c) => {
    buf += c.toString("utf8");
    let i;
    while ((i = buf.indexOf("\\n")) >= 0) { sock.write("echo:" + buf.slice(0, i) + "\\n"); buf = buf.slice(i + 1); }
  });
  sock.on("end", () => sock.end("echo:" + buf));
  sock.on("error", () => sock.destroy());
});
server.listen({ host: cfg.address, port: cfg.port }, () => console.log("READY"));
`;

/**
 * \`node -e\` program: one TCP connection that sends "<n>\\n" every \`everyMs\` and prints
 * "GOT <n>" per answer; "ERR <code>" or "CLOSED" ends it.
 */
const TALKER = `
"use strict";
const cfg = JSON.parse(process.argv[1]);
process.on("SIGTERM", () => process.exit(0));
let n = 0, buf = "";
const sock = require("node:net").connect({ host: cfg.address, port: cfg.port }, () => {
  console.log("CONNECTED " + sock.localAddress + " " + sock.localPort);
  setInterval(() => sock.write(String(++n) + "\\n"), cfg.everyMs);
});
sock.setNoDelay(true);
sock.on("data", (c) => {
  buf += c.toString("utf8");
  let i;
  while ((i = buf.indexOf("\\n")) >= 0) { console.log("GOT " + buf.slice(0, i).replace("echo:", "")); buf = buf.slice(i + 1); }
});
sock.on("error", (e) => { console.log("ERR " + (e.code || e.message)); process.exit(1); });
sock.on("close", () => { console.log("CLOSED"); process.exit(1); });
`;

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the line-echo server in `ns` and waits until it listens. */
export async function startLineServer(env: TestEnv, ns: TestNetns, address: string, port: number): Promise<SpawnedProcess> {
  const p = await env.spawnIn(ns, ["node", "-e", LINE_SERVER, JSON.stringify({ address, port })]);
  await until(`line server in ${ns.name}`, () => p.output().includes("READY"), 5000);
  return p;
}

/** A running conversation: the numbers answered so far, and its end marker if it ended. */
export interface Talker {
  readonly process: SpawnedProcess;
  /** Answered sequence numbers, in arrival order. */
  answered(): number[];
  /** "ERR <code>" / "CLOSED" once the connection broke, else null. */
  broken(): string | null;
  /** Waits until `count` more answers than now have arrived (fails if the connection breaks). */
  more(count: number, timeoutMs?: number): Promise<void>;
}

/** Opens one long-lived TCP connection from `ns` to address:port and keeps talking on it. */
export async function startTalker(env: TestEnv, ns: TestNetns, address: string, port: number, everyMs = 50): Promise<Talker> {
  const p = await env.spawnIn(ns, ["node", "-e", TALKER, JSON.stringify({ address, port, everyMs })]);
  const answered = (): number[] => [...p.output().matchAll(/^GOT (\d+)$/gm)].map((m) => Number(m[1]));
  const broken = (): string | null => /^(ERR .*|CLOSED)$/m.exec(p.output())?.[1] ?? null;
  const t: Talker = {
    process: p,
    answered,
    broken,
    async more(count, timeoutMs = 5000) {
      const target = answered().length + count;
      await until(`${count} more answers to ${address}:${port} (output: ${p.output().slice(-200)})`, () => broken() !== null || answered().length >= target, timeoutMs);
      if (broken() !== null) throw new Error(`connection to ${address}:${port} broke: ${broken()}`);
    },
  };
  await until(`a connection to ${address}:${port}`, () => broken() !== null || p.output().includes("CONNECTED"), 5000);
  await t.more(1);
  return t;
}
