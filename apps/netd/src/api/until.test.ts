import { describe, expect, it } from "vitest";
import { parseGoDuration, untilCutoff } from "./until.js";

describe("until filter values (dockerd's forms)", () => {
  it("reads Go durations", () => {
    expect(parseGoDuration("24h")).toBe(24 * 3_600_000);
    expect(parseGoDuration("1h30m")).toBe(90 * 60_000);
    expect(parseGoDuration("1.5h")).toBe(90 * 60_000);
    expect(parseGoDuration("10m")).toBe(600_000);
    expect(parseGoDuration("300ms")).toBe(300);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("-2s")).toBe(-2000);
  });

  it("refuses what is not a Go duration", () => {
    for (const bad of ["", "24", "h", "1d", "1h x", "1hh", "abc"]) expect(parseGoDuration(bad)).toBeNull();
  });

  it("counts durations back from now, and reads Unix seconds and RFC 3339 dates", () => {
    const now = Date.UTC(2026, 11, 5, 12, 0, 0);
    expect(untilCutoff("24h", now)).toBe(now - 86_400_000);
    expect(untilCutoff("1700000000", now)).toBe(1_700_000_000_000);
    expect(untilCutoff("1700000000.5", now)).toBe(1_700_000_000_500);
    expect(untilCutoff("2026-12-05T10:00:00Z", now)).toBe(Date.UTC(2026, 11, 5, 10, 0, 0));
    expect(untilCutoff("2026-12-05T10:00:00+02:00", now)).toBe(Date.UTC(2026, 11, 5, 8, 0, 0));
  });

  it("rejects other values with a hint naming the accepted forms", () => {
    expect(() => untilCutoff("yesterday")).toThrow(/invalid until filter 'yesterday'/);
    expect(() => untilCutoff("1d")).toThrow(/invalid until filter/);
  });
});
