/**
 * The suite catches real mistakes: a correct sample driver passes every check, and each
 * deliberately broken variant is reported by the right check with a message that says what
 * happened and what to do.
 */
import { describe, expect, it } from "vitest";
import { checkDriver, formatFindings, type Finding } from "../../src/index.js";
import { sampleDriver, type Flaw } from "./fixtures/sample-driver.js";

const run = (flaw?: Flaw): Promise<Finding[]> => checkDriver({ name: "sample", makeDriver: () => sampleDriver(flaw) });
const messages = (findings: Finding[], check: string): string => findings.filter((f) => f.check === check).map((f) => f.message).join("\n");

describe("conformance suite on deliberately broken drivers", () => {
  it("reports nothing for the correct sample driver", async () => {
    const findings = await run();
    expect(findings, formatFindings("sample", findings)).toEqual([]);
  });

  it("reports a driver whose join leaks its veth when a later step fails", async () => {
    const findings = await run("leaks-on-failure");
    expect(findings.map((f) => f.check)).toContain("rollback");
    const text = messages(findings, "rollback");
    expect(text).toMatch(/join failed at its kernel call 2 of 3 \(addresses\.add/);
    expect(text).toMatch(/\+ \/proc\/self\/ns\/net link cfv[0-9a-f]{8} kind=veth/);
    expect(text).toMatch(/Undo every step already done, in reverse order/);
  });

  it("reports a driver that acquires its default route in the release phase", async () => {
    const findings = await run("acquires-in-release");
    const text = messages(findings, "gateway-change");
    expect(text).toMatch(/added things in the release phase: routes\.add\(/);
    expect(text).toMatch(/Only remove in phase 'release' and add in phase 'acquire'/);
  });

  it("reports a driver that removes its default route only in the acquire phase", async () => {
    const findings = await run("releases-in-acquire");
    const text = messages(findings, "gateway-change");
    expect(text).toMatch(/after phase 'release' of a change that made another driver's endpoint the gateway, the sandbox still has default via 10\.199\.0\.1 dev eth[0-9a-f]{8}/);
    expect(text).toMatch(/would fail with ROUTE_EXISTS/);
  });

  it("reports a driver that reacts twice to an identical gateway change", async () => {
    const findings = await run("reacts-twice");
    const text = messages(findings, "gateway-change");
    expect(text).toMatch(/reacted to an event identical to the previous one with 2 kernel call\(s\): routes\.delete\(.*routes\.add\(/);
    expect(text).toMatch(/apply only the difference/);
  });

  it("reports a driver built for another apiVersion", async () => {
    const findings = await checkDriver({ name: "sample", makeDriver: () => sampleDriver("wrong-api-version"), only: ["contract"] });
    expect(findings.map((f) => f.check)).toEqual(["contract"]);
    expect(findings[0]!.message).toMatch(/apiVersion is 1 but .* contract version 2: the daemon refuses to load the driver/);
  });
});
