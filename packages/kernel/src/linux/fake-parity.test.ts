import { describe, expect, it } from "vitest";
import { fakeKernelErrorCodes } from "@netd/kernel-fake";
import { kernelErrorCodes } from "./errors.js";

describe("fake kernel: error codes", () => {
  it("match the Linux implementation's codes and categories, plus the fake-only invariants", () => {
    const fakeOnly = ["BRIDGE_HAS_PORTS", "ROUTE_UNREACHABLE"];
    for (const [code, spec] of Object.entries(fakeKernelErrorCodes)) {
      if (fakeOnly.includes(code)) {
        expect(code in kernelErrorCodes, `${code} should stay fake-only or be removed from fakeOnly`).toBe(false);
        continue;
      }
      expect(kernelErrorCodes[code as keyof typeof kernelErrorCodes]?.category, code).toBe(spec.category);
    }
  });
});
