import { describe, expect, it } from "vitest";
import type { EndpointRecord } from "../model.js";
import { EndpointIndex } from "./endpoint-index.js";

const ep = (id: string, networkId: string, sandboxId: string | null) => ({ id, networkId, sandboxId }) as unknown as EndpointRecord;

describe("EndpointIndex", () => {
  it("answers ofSandbox and ofNetwork exactly as a scan of all records would, through 3,000 random changes", () => {
    const idx = new EndpointIndex();
    let s = 7;
    const rnd = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
    const sandboxes = [null, "s0", "s1", "s2", "s3"];
    for (let step = 0; step < 3000; step++) {
      const id = `e${rnd(40)}`;
      if (rnd(4) === 0) idx.delete(id);
      else idx.set(id, ep(id, `n${rnd(3)}`, sandboxes[rnd(sandboxes.length)]!));
      if (step % 50 === 0 && rnd(10) === 0) idx.clear();
      for (const sb of sandboxes.slice(1)) expect([...idx.ofSandbox(sb!).keys()].sort()).toEqual([...idx.values()].filter((e) => e.sandboxId === sb).map((e) => e.id).sort());
      for (const n of ["n0", "n1", "n2"]) expect([...idx.ofNetwork(n).values()].sort((a, b) => a.id.localeCompare(b.id))).toEqual([...idx.values()].filter((e) => e.networkId === n).sort((a, b) => a.id.localeCompare(b.id)));
    }
    expect(idx.ofSandbox("nobody").size).toBe(0);
  });
});
