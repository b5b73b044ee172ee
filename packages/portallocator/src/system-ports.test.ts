import { describe, expect, it } from "vitest";
import { parsePortRange, parseReservedPorts, readRealProcFile } from "./system-ports.js";

describe("parsePortRange", () => {
  it("reads the kernel's tab-separated format", () => {
    expect(parsePortRange("32768\t60999\n")).toEqual({ start: 32768, end: 60999 });
    expect(parsePortRange("1024 65535")).toEqual({ start: 1024, end: 65535 });
  });

  it.each([null, "", "32768", "60999\t32768", "0\t100", "1024\t70000", "a\tb", "1\t2\t3"])("rejects %j", (text) => {
    expect(parsePortRange(text)).toBeNull();
  });
});

describe("parseReservedPorts", () => {
  it("expands single ports and ranges", () => {
    expect(parseReservedPorts("8080,9000-9003\n")).toEqual([8080, 9000, 9001, 9002, 9003]);
  });

  it("treats an empty file as no reserved ports", () => {
    expect(parseReservedPorts("\n")).toEqual([]);
    expect(parseReservedPorts("")).toEqual([]);
  });

  it("rejects a malformed list whole, and a missing file", () => {
    expect(parseReservedPorts("8080,x")).toBeNull();
    expect(parseReservedPorts("9010-9000")).toBeNull();
    expect(parseReservedPorts("70000")).toBeNull();
    expect(parseReservedPorts(null)).toBeNull();
  });
});

describe("readRealProcFile", () => {
  it("returns null for a file that does not exist", () => {
    expect(readRealProcFile("/proc/sys/net/ipv4/netd-no-such-file")).toBeNull();
  });
});
