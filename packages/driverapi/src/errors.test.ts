import { describe, expect, it } from "vitest";
import { NetdAggregateError, NetdError, defineErrorCodes, isNetdError, wrapError } from "./errors.js";

describe("NetdError", () => {
  it("is recognised by its brand, also for a copy from another bundle", () => {
    const e = new NetdError({ code: "SUBNET_OVERLAP", category: "conflict", message: "subnet 10.0.0.0/24 overlaps network 'web' (10.0.0.0/16)", hint: "pick another subnet or remove 'web'" });
    expect(isNetdError(e)).toBe(true);
    expect(e.message).toBe("subnet 10.0.0.0/24 overlaps network 'web' (10.0.0.0/16); pick another subnet or remove 'web'");
    const foreign = Object.assign(new Error("x"), { [Symbol.for("netd.error")]: true });
    expect(isNetdError(foreign)).toBe(true);
    expect(isNetdError(new Error("plain"))).toBe(false);
  });

  it("wraps with context and keeps the code", () => {
    const inner = new NetdError({ code: "KERNEL_ERROR", category: "kernel", message: "File exists (errno 17)" });
    const outer = wrapError("failed to create bridge br-1a2b", inner);
    expect(outer.code).toBe("KERNEL_ERROR");
    expect(outer.message).toBe("failed to create bridge br-1a2b: File exists (errno 17)");
    expect(wrapError("ctx", new Error("boom")).category).toBe("internal");
  });

  it("aggregates failures", () => {
    const agg = new NetdAggregateError("leave finished with errors", [new Error("a"), new Error("b")]);
    expect(agg.message).toBe("leave finished with errors: a; b");
    expect(agg.errors).toHaveLength(2);
  });

  it("rejects codes that are not UPPER_SNAKE at run time", () => {
    expect(() => defineErrorCodes({ notSnake: { category: "invalid", description: "x" } } as never)).toThrow(/UPPER_SNAKE/);
  });
});
