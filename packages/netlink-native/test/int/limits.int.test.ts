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

describe("limitMallocArenas and trimMalloc", () => {
  it("glibc takes the arena limit; a bad count is refused; a trim after freeing returns memory", () => {
    // In a child: the limit is process-wide and must not leak into the test runner.
    const script = [
      "const n = await import(process.argv[1]);",
      "const limited = n.limitMallocArenas(1);",
      "let refused = '';",
      "try { n.limitMallocArenas(0); } catch (e) { refused = e.message; }",
      // Many small native allocations (below mmap's threshold) freed again: the arena keeps them until trimmed.
      "let keep = []; for (let i = 0; i < 20000; i++) keep.push(Buffer.allocUnsafeSlow(4000)); keep = null; globalThis.gc();",
      "console.log(JSON.stringify({ limited, refused, trimmed: n.trimMalloc() }));",
    ].join("\n");
    const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script, index], { encoding: "utf8" });
    expect(JSON.parse(out.trim())).toEqual({ limited: true, refused: "limitMallocArenas(n): n must be an integer >= 1", trimmed: true });
  });
});
