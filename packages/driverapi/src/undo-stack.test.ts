import { describe, expect, it } from "vitest";
import { UndoStack } from "./undo-stack.js";

describe("UndoStack", () => {
  it("undoes in reverse order and reports every failure", async () => {
    const u = new UndoStack();
    const log: string[] = [];
    u.push("a", () => void log.push("a"));
    u.push("b", () => {
      throw new Error("nope");
    });
    u.push("c", () => void log.push("c"));
    const failures = await u.rollback();
    expect(log).toEqual(["c", "a"]);
    expect(failures.map((f) => f.message)).toEqual(["undo of b failed: nope"]);
  });

  it("forgets everything after commit", async () => {
    const u = new UndoStack();
    let ran = false;
    u.push("x", () => void (ran = true));
    u.commit();
    expect(await u.rollback()).toEqual([]);
    expect(ran).toBe(false);
  });
});
