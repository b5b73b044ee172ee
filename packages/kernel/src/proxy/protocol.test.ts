import { describe, expect, it } from "vitest";
import { addRequest, bindingId, expectOk, parseList, parseStats, validateSpec } from "./protocol.js";

const spec = { protocol: "tcp", hostIp: "::0", hostPort: 8080, containerIp: "10.0.0.2", containerPort: 80 } as const;

describe("netd-proxy control protocol", () => {
  it("canonicalizes a binding and renders its add request", () => {
    const v = validateSpec(spec);
    expect(v.hostIp).toBe("::");
    expect(bindingId(v)).toBe("tcp/::/8080");
    expect(addRequest(v)).toBe("add tcp/::/8080 tcp 10.0.0.2 80");
  });

  it("refuses bad protocols, addresses and ports before anything is sent", () => {
    expect(() => validateSpec({ ...spec, protocol: "sctp" as "tcp" })).toThrow(expect.objectContaining({ code: "PROXY_INVALID_SPEC" }));
    expect(() => validateSpec({ ...spec, hostIp: "1.2.3.4 add" })).toThrow(/host address/);
    expect(() => validateSpec({ ...spec, containerIp: "fe80::1%eth0" })).toThrow(/container address/);
    expect(() => validateSpec({ ...spec, hostPort: 0 })).toThrow(/host port/);
    expect(() => validateSpec({ ...spec, containerPort: 65536 })).toThrow(/container port/);
  });

  it("turns an err reply into PROXY_REFUSED with the proxy's code", () => {
    expect(expectOk("ping", "ok 42")).toBe("42");
    let caught: unknown;
    try {
      expectOk("add x tcp 1.2.3.4 5", "err EEXIST binding id already present");
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "PROXY_REFUSED", details: { proxyCode: "EEXIST" } });
  });

  it("parses list and stats bodies and skips malformed lines", () => {
    expect(parseList("\ntcp/::/80 tcp :: 80 10.0.0.2 8080\ngarbage")).toEqual([{ id: "tcp/::/80", protocol: "tcp", hostIp: "::", hostPort: 80, containerIp: "10.0.0.2", containerPort: 8080 }]);
    const [s] = parseStats("\nudp/0.0.0.0/53 udp 0.0.0.0 53 10.0.0.2 53 conns=0 active=0 refused=0 bytes_in=10 bytes_out=20 packets_in=1 packets_out=2 flows=1");
    expect(s).toMatchObject({ protocol: "udp", bytesIn: 10, bytesOut: 20, packetsIn: 1, packetsOut: 2, flows: 1 });
  });
});
