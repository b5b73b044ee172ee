// Allocation cost of @netd/portallocator (dist/) against a naive Set-based linear scan
// that follows the reference allocator (moby portallocator.go, §7.1), measured in one run.
// Run: pnpm run build && pnpm run bench. Not part of the test suite.
//
// For each occupancy level both allocators are filled with the same dual-stack requests
// (["0.0.0.0", "::"], tcp, ephemeral), churned once around the range so that free ports are
// scattered behind and ahead of the cursor, then measured: release a random held port,
// time one ephemeral request. Both use the same random sequence and the same scan order,
// so every request must return the same port from both; the bench checks that.
import { createPortAllocator } from "../dist/index.js";

const BEGIN = 1024;
const END = 65535;
const SIZE = END - BEGIN + 1;
const ADDRS = ["0.0.0.0", "::"];
const MEASURED = 20_000;

/** The reference algorithm: address → Set of ports, a `last` cursor per range, port++ scan. */
class NaiveAllocator {
  constructor(begin, end) {
    this.begin = begin;
    this.end = end;
    this.maps = new Map([["0.0.0.0", this.#newMap()], ["::", this.#newMap()]]);
  }
  #newMap() {
    return { ports: new Set(), last: new Map() };
  }
  requestPortsInRange(addrs, start, end) {
    const lo = start === 0 ? this.begin : start;
    const hi = start === 0 ? this.end : end;
    const key = `${lo}-${hi}`;
    const requested = addrs.map((a) => {
      if (!this.maps.has(a)) this.maps.set(a, this.#newMap());
      return this.maps.get(a);
    });
    const conflict = new Set(requested);
    for (const a of addrs) {
      const unspecified = a === "0.0.0.0" || a === "::";
      if (!unspecified) conflict.add(this.maps.get(a.includes(":") ? "::" : "0.0.0.0"));
      else for (const [other, map] of this.maps) if (other.includes(":") === a.includes(":")) conflict.add(map);
    }
    const maps = [...conflict];
    const first = requested[0];
    let port = first.last.get(key) ?? hi;
    for (let i = lo; i <= hi; i++) {
      port++;
      if (port > hi) port = lo;
      let taken = false;
      for (const m of maps) if (m.ports.has(port)) { taken = true; break; }
      if (!taken) {
        for (const m of requested) { m.ports.add(port); m.last.set(key, port); }
        return port;
      }
    }
    throw new Error("all ports are allocated");
  }
  releasePort(addr, _proto, port) {
    this.maps.get(addr)?.ports.delete(port);
  }
}

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function median(values) {
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length >> 1];
}

function percentile(values, q) {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

/** Fills `allocated` ports, churns once around the range, then times `measured` requests. */
function run(allocated, measured) {
  const ours = createPortAllocator({ range: { start: BEGIN, end: END }, reservedPorts: [] });
  const naive = new NaiveAllocator(BEGIN, END);
  const held = [];
  const fill = { ours: 0n, naive: 0n };
  for (let i = 0; i < allocated; i++) {
    let t = process.hrtime.bigint();
    const a = ours.requestPortsInRange(ADDRS, "tcp", 0, 0);
    fill.ours += process.hrtime.bigint() - t;
    t = process.hrtime.bigint();
    const b = naive.requestPortsInRange(ADDRS, 0, 0);
    fill.naive += process.hrtime.bigint() - t;
    if (a !== b) throw new Error(`fill ${i}: ours ${a}, naive ${b}`);
    held.push(a);
  }
  const random = rng(allocated);
  const cycle = (timings) => {
    const index = Math.floor(random() * held.length);
    const victim = held[index];
    held[index] = held[held.length - 1];
    held.pop();
    for (const addr of ADDRS) {
      ours.releasePort(addr, "tcp", victim);
      naive.releasePort(addr, "tcp", victim);
    }
    let t = process.hrtime.bigint();
    const a = ours.requestPortsInRange(ADDRS, "tcp", 0, 0);
    const dOurs = process.hrtime.bigint() - t;
    t = process.hrtime.bigint();
    const b = naive.requestPortsInRange(ADDRS, 0, 0);
    const dNaive = process.hrtime.bigint() - t;
    if (a !== b) throw new Error(`cycle: ours ${a}, naive ${b}`);
    held.push(a);
    if (timings) {
      timings.ours.push(Number(dOurs));
      timings.naive.push(Number(dNaive));
    }
  };
  for (let i = 0; i < SIZE; i++) cycle(null);
  const timings = { ours: [], naive: [] };
  for (let i = 0; i < measured; i++) cycle(timings);
  return { allocated, fill, timings };
}

/** Worst case: the range is full but for the port just released, one step behind the cursor. */
function worstCase(measured) {
  const ours = createPortAllocator({ range: { start: BEGIN, end: END }, reservedPorts: [] });
  const naive = new NaiveAllocator(BEGIN, END);
  for (let i = 0; i < SIZE; i++) {
    ours.requestPortsInRange(ADDRS, "tcp", 0, 0);
    naive.requestPortsInRange(ADDRS, 0, 0);
  }
  const timings = { ours: [], naive: [] };
  let port = END;
  for (let i = 0; i < measured; i++) {
    for (const addr of ADDRS) {
      ours.releasePort(addr, "tcp", port);
      naive.releasePort(addr, "tcp", port);
    }
    let t = process.hrtime.bigint();
    const a = ours.requestPortsInRange(ADDRS, "tcp", 0, 0);
    timings.ours.push(Number(process.hrtime.bigint() - t));
    t = process.hrtime.bigint();
    const b = naive.requestPortsInRange(ADDRS, 0, 0);
    timings.naive.push(Number(process.hrtime.bigint() - t));
    if (a !== port || b !== port) throw new Error(`worst case: ours ${a}, naive ${b}, expected ${port}`);
    port = port === BEGIN ? END : port - 1;
  }
  return timings;
}

const us = (ns) => (ns / 1000).toFixed(2).padStart(9);
const levels = [1_000, 30_000, 60_000, Math.round(SIZE * 0.99)];
console.log(`range ${BEGIN}-${END} (${SIZE} ports), addresses ${ADDRS.join(" + ")}, tcp, ${MEASURED} timed requests per level`);
console.log(`node ${process.version}`);
console.log("");
console.log("allocated   ours median µs   ours p99 µs   naive median µs   naive/ours");
const results = [];
for (const allocated of levels) {
  const { fill, timings } = run(allocated, MEASURED);
  const o = median(timings.ours);
  const n = median(timings.naive);
  results.push({ allocated, o, n, fill });
  const label = allocated === levels[3] ? `${allocated} (99%)` : String(allocated);
  console.log(
    `${label.padEnd(12)}${us(o)}        ${us(percentile(timings.ours, 0.99))}     ${us(n)}          ${(n / o).toFixed(1).padStart(6)}x`,
  );
}
const worst = worstCase(500);
const wo = median(worst.ours);
const wn = median(worst.naive);
console.log(`${"worst case".padEnd(12)}${us(wo)}        ${us(percentile(worst.ours, 0.99))}     ${us(wn)}          ${(wn / wo).toFixed(1).padStart(6)}x`);
console.log("  (worst case: range full except the port just behind the cursor; the scan wraps the whole range)");
console.log("");
const at60k = results.find((r) => r.allocated === 60_000);
console.log(
  `filling 60,000 allocations: ours ${(Number(at60k.fill.ours) / 1e6).toFixed(1)} ms, naive ${(Number(at60k.fill.naive) / 1e6).toFixed(1)} ms`,
);
const growth = results[2].o / results[0].o;
console.log(`growth of the median from 1,000 to 60,000 allocated: ${growth.toFixed(2)}x (target <= 3x)`);
console.log(`median at 99 % occupancy: ${(results[3].o / 1000).toFixed(2)} µs (target <= 5 µs)`);
