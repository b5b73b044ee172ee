// The measured cases of the peers benchmark. Every loop interleaves the systems operation by
// operation, rotating which system goes first, and keeps namespace creation and deletion
// outside the timed region.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { HOST_ADDR, dropNetns, makeNetns, run, slotAddrs, summarize } from "./util.mjs";

const PROBE = fileURLToPath(new URL("./probe.mjs", import.meta.url));
const ECHO = fileURLToPath(new URL("./echo-server.mjs", import.meta.url));
export const PORT_COUNTS = [0, 1, 10];

function rotate(list, k) {
  const i = k % list.length;
  return [...list.slice(i), ...list.slice(0, i)];
}

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

/** Background sandboxes: slot i, one published port (host 20000+i → 80). */
function fillSlot(sys, i, netns) {
  return { i, netns, ...slotAddrs(i), ports: [{ host: 20000 + i, container: 80 }] };
}

/** Attaches background sandboxes until each system has `level`; returns the attach time sums. */
export async function fill(systems, level) {
  const total = Object.fromEntries(systems.map((s) => [s.name, 0]));
  const from = Math.min(...systems.map((s) => s.filled.length));
  for (let i = from; i < level; i++) {
    for (const s of rotate(systems, i)) {
      if (s.filled.length > i) continue;
      const slot = fillSlot(s, i, await makeNetns(`${s.nsPrefix}-f${i}`));
      const { value, ms } = await timed(() => s.attach(slot));
      s.filled.push({ slot, handle: value });
      total[s.name] += ms;
    }
  }
  return { from, total: Object.fromEntries(Object.entries(total).filter(([n]) => systems.some((s) => s.name === n))) };
}

/** Detaches every background sandbox; returns the detach time sums. */
export async function drain(systems) {
  const total = Object.fromEntries(systems.map((s) => [s.name, 0]));
  const count = Math.max(0, ...systems.map((s) => s.filled.length));
  for (let i = 0; i < count; i++) {
    for (const s of rotate(systems, i)) {
      const f = s.filled.shift();
      if (!f) continue;
      total[s.name] += (await timed(() => s.detach(f.handle))).ms;
      await dropNetns(f.slot.netns);
    }
  }
  return { count, total };
}

/** attach + detach of one more sandbox with 0, 1 and 10 published ports, `n` times each. */
export async function measureLevel(systems, level, n, portCounts = PORT_COUNTS) {
  const samples = new Map();
  const key = (s, ports) => `${s}/${ports}`;
  for (let it = 0; it < n; it++) {
    for (const ports of portCounts) {
      for (const s of rotate(systems, it)) {
        const netns = await makeNetns(`${s.nsPrefix}-m`);
        const slot = { i: 5000, netns, ...slotAddrs(5000), ports: Array.from({ length: ports }, (_, k) => ({ host: 40000 + k, container: 80 + k })) };
        const c0 = s.cpu?.();
        const a = await timed(() => s.attach(slot));
        const d = await timed(() => s.detach(a.value));
        const c1 = s.cpu?.();
        await dropNetns(netns);
        const k = key(s.name, ports);
        if (!samples.has(k)) samples.set(k, { attach: [], detach: [], cpu: 0 });
        const e = samples.get(k);
        e.attach.push(a.ms);
        e.detach.push(d.ms);
        if (c0 !== undefined) e.cpu += c1 - c0;
      }
    }
  }
  const rows = [];
  for (const ports of portCounts) {
    for (const s of systems) {
      const e = samples.get(key(s.name, ports));
      rows.push({ level, ports, system: s.name, attach: summarize(e.attach), detach: summarize(e.detach), cpuPerCycle: s.cpu ? e.cpu / n : null });
    }
  }
  return rows;
}

/** `count` attaches in a row (one port each), then `count` detaches; totals per system. */
export async function sequence(systems, count) {
  const out = Object.fromEntries(systems.map((s) => [s.name, { count, attach: 0, detach: 0 }]));
  const made = new Map(systems.map((s) => [s.name, []]));
  for (let j = 0; j < count; j++) {
    for (const s of rotate(systems, j)) {
      const i = 3000 + j;
      const slot = { i, netns: await makeNetns(`${s.nsPrefix}-q${j}`), ...slotAddrs(i), ports: [{ host: 30000 + j, container: 80 }] };
      const { value, ms } = await timed(() => s.attach(slot));
      made.get(s.name).push({ slot, handle: value });
      out[s.name].attach += ms;
    }
  }
  for (let j = 0; j < count; j++) {
    for (const s of rotate(systems, j)) {
      const f = made.get(s.name)[j];
      out[s.name].detach += (await timed(() => s.detach(f.handle))).ms;
      await dropNetns(f.slot.netns);
    }
  }
  return out;
}

/** Peak RSS of one peer call (systems without a daemon), on a namespace made for it. */
export async function peakRss(s, level) {
  const netns = await makeNetns(`${s.nsPrefix}-rss${level}`);
  try {
    return await s.peakRss({ i: 9000, netns, ...slotAddrs(9000), ports: [{ host: 39000, container: 80 }] });
  } finally {
    await dropNetns(netns);
  }
}

function startEcho(netns, port) {
  return new Promise((resolve, reject) => {
    const child = spawn("nsenter", [`--net=${netns}`, "--", process.execPath, ECHO, String(port)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`echo server in ${netns} did not start: ${out}`)), 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("listening")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
  });
}

/** First-packet round trip through the published port of the first and the last background sandbox. */
export async function firstPacket(systems, level, count) {
  const rows = [];
  for (const s of systems) {
    const targets = level === 1 ? [["#1", s.filled[0]]] : [["#1", s.filled[0]], [`#${level}`, s.filled[level - 1]]];
    for (const [label, f] of targets) {
      const server = await startEcho(f.slot.netns, 80);
      try {
        const r = await run(process.execPath, [PROBE, HOST_ADDR, String(f.slot.ports[0].host), String(count)], { netns: s.host });
        if (r.code !== 0) throw new Error(`probe for ${s.name} ${label}: ${r.stderr.trim()}`);
        rows.push({ level, system: s.name, target: label, rtt: summarize(JSON.parse(r.stdout)) });
      } finally {
        server.kill("SIGTERM");
      }
    }
  }
  return rows;
}
