import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const index = fileURLToPath(new URL("../../index.js", import.meta.url));

describe("raiseOpenFileLimit", () => {
  it("raises the soft open-file limit to the hard one", () => {
    const script = `const n = await import(process.argv[1]); console.log(JSON.stringify(n.raiseOpenFileLimit()));`;
    const out = execFileSync("prlimit", ["--nofile=1024:4096", process.execPath, "--input-type=module", "-e", script, index], { encoding: "utf8" });
    expect(JSON.parse(out.trim())).toEqual({ soft: 4096, hard: 4096 });
  });
});
