import { describe, expect, it } from "vitest";
import { ESLint } from "eslint";
import { netdConfig } from "@netd/eslint-config";

// The architecture rule "only packages/kernel talks to the kernel" is a lint rule; prove it bites.
async function lint(code: string, mayTouchKernel: boolean): Promise<string[]> {
  const eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfigFile: true,
    // Type-aware rules need files on disk; the boundary rule does not, so lint the text alone.
    overrideConfig: netdConfig({ mayTouchKernel }).map((c) => ({ ...c, languageOptions: { ...c.languageOptions, parserOptions: {} } })).filter((c) => !c.rules || !Object.keys(c.rules).some((r) => r.startsWith("@typescript-eslint/"))),
  });
  const [result] = await eslint.lintText(code, { filePath: "src/example.ts" });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe("kernel boundary lint rule", () => {
  it("refuses child_process and the native addon outside the kernel layer", async () => {
    const spawn = await lint(`import { spawn } from "node:child_process";\nspawn("ip", []);\n`, false);
    expect(spawn.join("\n")).toMatch(/no-restricted-imports: .*only packages\/kernel talks to the kernel/);
    const native = await lint(`import { openNetlink } from "@netd/netlink-native";\nvoid openNetlink;\n`, false);
    expect(native.join("\n")).toMatch(/no-restricted-imports/);
  });

  it("allows them in the kernel layer", async () => {
    expect(await lint(`import { spawn } from "node:child_process";\nspawn("ip", []);\n`, true)).toEqual([]);
  });
});
