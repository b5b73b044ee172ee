import { describe, expect, it } from "vitest";
import { KeyedSerializer } from "./serial.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("KeyedSerializer", () => {
  it("serialises per key and runs different keys in parallel", async () => {
    const s = new KeyedSerializer();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`s${name}`);
      await tick(ms);
      log.push(`e${name}`);
    };
    await Promise.all([s.run("a", task("a1", 20)), s.run("a", task("a2", 1)), s.run("b", task("b1", 5))]);
    expect(log.indexOf("ea1")).toBeLessThan(log.indexOf("sa2"));
    // b1 started while a1 was still running.
    expect(log.indexOf("sb1")).toBeLessThan(log.indexOf("ea1"));
    await tick(0);
    expect(s.activeKeys).toBe(0);
  });

  it("keeps going after a failed task", async () => {
    const s = new KeyedSerializer();
    await expect(s.run("k", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(s.run("k", () => Promise.resolve(7))).resolves.toBe(7);
  });
});
