import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execInNetns, netnsEnterProblem } from "./exec-in-netns.js";

describe("execInNetns preconditions", () => {
  it("tells a namespace mount from a plain file (what a private mount namespace leaves behind) and exits 125 without running the command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netd-exec-"));
    try {
      const file = join(dir, "ns");
      writeFileSync(file, "");
      expect(netnsEnterProblem(file)).toMatch(/is not a network namespace mount in this mount namespace.*nsenter --net=\/run\/netns\/NAME/);
      expect(netnsEnterProblem("/proc/self/ns/net")).toBeNull();
      const marker = join(dir, "ran");
      expect(await execInNetns(file, ["touch", marker])).toBe(125);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
