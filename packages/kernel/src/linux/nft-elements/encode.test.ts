import { describe, expect, it } from "vitest";
import { elementAttr, fieldBytes, valueBytes } from "./encode.js";
import { encodedLength, fieldsOf } from "./set-info.js";

describe("nft element encoding", () => {
  it("unpacks nft's 6-bit type ids and checks them against the key length", () => {
    const id = (...types: number[]) => types.reduce((t, x) => t * 64 + x, 0);
    expect(fieldsOf(id(7, 12, 13), 12)).toEqual(["ipv4_addr", "inet_proto", "inet_service"]);
    expect(fieldsOf(id(12, 13), 8)).toEqual(["inet_proto", "inet_service"]);
    expect(fieldsOf(41, 16)).toEqual(["ifname"]);
    expect(fieldsOf(13, 2)).toEqual(["inet_service"]);
    expect(fieldsOf(id(7, 12, 13), 7)).toBeNull();
    expect(fieldsOf(19, 4)).toBeNull(); // mark: not a type the fast path writes
    expect(encodedLength(["ipv6_addr", "inet_proto", "inet_service"])).toBe(24);
  });

  it("encodes values as nft does: network order, concatenations padded per field", () => {
    expect(fieldBytes("ipv4_addr", "10.0.0.2")).toEqual(Buffer.from([10, 0, 0, 2]));
    expect(fieldBytes("ipv6_addr", "fd00::2")?.toString("hex")).toBe("fd000000000000000000000000000002");
    expect(fieldBytes("ipv6_addr", "::")?.toString("hex")).toBe("0".repeat(32));
    expect(fieldBytes("ipv6_addr", "fe80::")?.toString("hex")).toBe("fe80" + "0".repeat(28));
    expect(fieldBytes("inet_service", "8080")).toEqual(Buffer.from([0x1f, 0x90]));
    expect(fieldBytes("inet_proto", "udp")).toEqual(Buffer.from([17]));
    expect(fieldBytes("ifname", '"br-1"')?.toString("latin1")).toBe("br-1" + "\0".repeat(12));
    expect(valueBytes(["inet_proto", "inet_service"], "tcp . 80")?.toString("hex")).toBe("06000000" + "00500000");
    expect(valueBytes(["inet_service"], "80")?.toString("hex")).toBe("0050");
  });

  it("refuses anything but plain values, so libnftables gets it instead", () => {
    for (const [type, text] of [
      ["ipv4_addr", "10.0.0.0/8"],
      ["ipv4_addr", "10.0.0.1-10.0.0.9"],
      ["ipv6_addr", "::ffff:1.2.3.4"],
      ["ipv6_addr", "fe80::1%eth0"],
      ["inet_service", "65536"],
      ["inet_service", "http"],
      ["inet_proto", "256"],
      ["ifname", "br-1"],
      ["ifname", '"br-*"'],
    ] as const) {
      expect(fieldBytes(type, text), `${type} ${text}`).toBeNull();
    }
    expect(valueBytes(["inet_proto", "inet_service"], "tcp")).toBeNull();
    const verdictMap = { key: ["ipv4_addr"], data: "verdict" } as const;
    expect(elementAttr(verdictMap, "10.0.0.2 : jump guard__br-1", false)).not.toBeNull();
    expect(elementAttr(verdictMap, "10.0.0.2 : jump", false)).toBeNull();
    expect(elementAttr(verdictMap, "10.0.0.2 : counter jump x", false)).toBeNull();
    expect(elementAttr(verdictMap, "10.0.0.2", false)).toBeNull();
    expect(elementAttr(verdictMap, "10.0.0.2", true)).not.toBeNull();
    expect(elementAttr({ key: ["ipv4_addr"], data: null }, "10.0.0.2 : accept", false)).toBeNull();
    expect(elementAttr({ key: ["ipv4_addr"], data: null }, "10.0.0.2 timeout 1s", false)).toBeNull();
  });
});
