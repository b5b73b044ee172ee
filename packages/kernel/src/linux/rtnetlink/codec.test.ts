import { describe, expect, it } from "vitest";
import * as c from "./constants.js";
import { attrString as readString, attrU32 as readU32, parseAttrs, parseMessages, parseStatus } from "./decode.js";
import { align4, attr, attrString, attrU16, attrU32, message, nested } from "./encode.js";
import { addressText, decodeLink, ifinfomsg } from "./messages.js";
import { vethRequest } from "../links.js";
import { addressRequest } from "../addresses.js";
import { checkRoute, routeRequest } from "../routes.js";
import { validateCidr } from "../validate.js";

const hex = (b: Buffer) => b.toString("hex");

describe("encode", () => {
  it("pads attributes to 4 bytes and keeps the unpadded length in the header", () => {
    expect(hex(attrString(c.IFLA_IFNAME, "eth0"))).toBe("0900030065746830" + "00000000");
    expect(hex(attrU16(c.IFLA_VLAN_ID, 10))).toBe("060001000a000000");
    expect(hex(attrU32(c.IFLA_MTU, 1500))).toBe("08000400dc050000");
    expect(align4(5)).toBe(8);
  });

  it("marks nested attributes with NLA_F_NESTED", () => {
    const n = nested(c.IFLA_LINKINFO, [attrString(c.IFLA_INFO_KIND, "bridge")]);
    expect(n.readUInt16LE(2)).toBe(c.IFLA_LINKINFO | c.NLA_F_NESTED);
    expect(readString(parseAttrs(parseAttrs(n).get(c.IFLA_LINKINFO)!), c.IFLA_INFO_KIND)).toBe("bridge");
  });

  it("builds a message header with length, type and flags, seq left 0", () => {
    const m = message(c.RTM_GETLINK, c.NLM_F_REQUEST | c.NLM_F_DUMP, ifinfomsg());
    expect(hex(m.subarray(0, 16))).toBe("20000000120001030000000000000000");
  });

  it("encodes the veth-in-netns request byte for byte (golden)", () => {
    const req = vethRequest({ name: "vh0", master: "br0", up: true, peer: { name: "vc0", netns: "/run/netns/x" } }, 42, 5);
    const golden =
      "68000000" + "1000" + "0506" + "00000000" + "00000000" + // nlmsghdr: 104 bytes, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
      "00000000" + "00000000" + "01000000" + "01000000" + // ifinfomsg: up
      "08000300" + "76683000" + // IFLA_IFNAME "vh0"
      "08000a00" + "05000000" + // IFLA_MASTER 5
      "38001280" + // IFLA_LINKINFO (nested), 56 bytes
      "09000100" + "76657468" + "00000000" + // IFLA_INFO_KIND "veth"
      "28000280" + // IFLA_INFO_DATA (nested), 40 bytes
      "24000100" + // VETH_INFO_PEER, 36 bytes
      "00000000000000000000000000000000" + // peer ifinfomsg
      "08000300" + "76633000" + // IFLA_IFNAME "vc0"
      "08001c00" + "2a000000"; // IFLA_NET_NS_FD 42
    expect(hex(req)).toBe(golden);
  });

  it("encodes IPv4 addresses with IFA_LOCAL and IPv6 ones with IFA_F_NODAD", () => {
    const v4 = addressRequest(c.RTM_NEWADDR, 0, 7, validateCidr("10.0.0.2/24"), true);
    const a4 = parseAttrs(v4.subarray(16 + 8));
    expect(hex(a4.get(c.IFA_LOCAL)!)).toBe("0a000002");
    expect(a4.has(c.IFA_FLAGS)).toBe(false);
    expect(v4.readUInt8(17)).toBe(24);
    expect(v4.readUInt32LE(20)).toBe(7);
    const v6 = addressRequest(c.RTM_NEWADDR, 0, 7, validateCidr("fd00::2/64"), true);
    const a6 = parseAttrs(v6.subarray(16 + 8));
    expect(readU32(a6, c.IFA_FLAGS)).toBe(c.IFA_F_NODAD);
    expect(hex(a6.get(c.IFA_ADDRESS)!)).toBe("fd000000000000000000000000000002");
  });

  it("encodes routes: default via gateway in main, table > 255 only in RTA_TABLE", () => {
    const r = routeRequest(c.RTM_NEWROUTE, 0, checkRoute({ to: "default", family: 4, via: "10.0.0.1" }), undefined);
    expect([...r.subarray(16, 24)]).toEqual([c.AF_INET, 0, 0, 0, c.RT_TABLE_MAIN, c.RTPROT_BOOT, c.RT_SCOPE_UNIVERSE, c.RTN_UNICAST]);
    const big = routeRequest(c.RTM_NEWROUTE, 0, checkRoute({ to: "10.1.0.0/16", family: 4, dev: "eth0", table: 1000, metric: 5 }), 3);
    expect(big.readUInt8(16 + 4)).toBe(c.RT_TABLE_UNSPEC);
    expect(big.readUInt8(16 + 6)).toBe(c.RT_SCOPE_LINK);
    const attrs = parseAttrs(big.subarray(28));
    expect(readU32(attrs, c.RTA_TABLE)).toBe(1000);
    expect(readU32(attrs, c.RTA_OIF)).toBe(3);
    expect(readU32(attrs, c.RTA_PRIORITY)).toBe(5);
  });
});

describe("decode", () => {
  it("round-trips several messages in one datagram", () => {
    const a = message(c.RTM_NEWLINK, c.NLM_F_MULTI, ifinfomsg({ index: 3, flags: c.IFF_UP }), [attrString(c.IFLA_IFNAME, "br0"), attrU32(c.IFLA_MTU, 1500), attr(c.IFLA_ADDRESS, Buffer.from([2, 0, 0, 0, 0, 1])), nested(c.IFLA_LINKINFO, [attrString(c.IFLA_INFO_KIND, "bridge")])]);
    const b = message(c.NLMSG_DONE, c.NLM_F_MULTI, Buffer.alloc(4));
    a.writeUInt32LE(9, 8);
    b.writeUInt32LE(9, 8);
    const msgs = parseMessages(Buffer.concat([a, b]));
    expect(msgs.map((m) => [m.type, m.seq])).toEqual([[c.RTM_NEWLINK, 9], [c.NLMSG_DONE, 9]]);
    const link = decodeLink(msgs[0]!.payload);
    expect({ ...link, attrs: undefined }).toEqual({ index: 3, name: "br0", kind: "bridge", up: true, mtu: 1500, mac: "02:00:00:00:00:01", masterIndex: null, parentIndex: null, attrs: undefined });
    expect(parseStatus(msgs[1]!)).toEqual({ errno: 0, kernelMessage: undefined, offset: undefined });
  });

  it("decodes an error with the extended-ack message (capped)", () => {
    const payload = Buffer.concat([Buffer.from([0xef, 0xff, 0xff, 0xff]), Buffer.alloc(16), attrString(c.NLMSGERR_ATTR_MSG, "Unknown device type"), attrU32(c.NLMSGERR_ATTR_OFFS, 40)]);
    const m = message(c.NLMSG_ERROR, c.NLM_F_CAPPED | c.NLM_F_ACK_TLVS, payload);
    const [msg] = parseMessages(m);
    expect(parseStatus(msg!)).toEqual({ errno: 17, kernelMessage: "Unknown device type", offset: 40 });
  });

  it("ignores a truncated tail", () => {
    const m = message(c.RTM_NEWLINK, 0, ifinfomsg());
    expect(parseMessages(m.subarray(0, 20))).toEqual([]);
  });

  it("renders addresses like iproute2", () => {
    expect(addressText(c.AF_INET, Buffer.from([10, 0, 0, 1]))).toBe("10.0.0.1");
    expect(addressText(c.AF_INET6, Buffer.from("fd000000000000000000000000000001", "hex"))).toBe("fd00::1");
    expect(addressText(c.AF_INET6, Buffer.from("20010db8000000010000000000000000", "hex"))).toBe("2001:db8:0:1::");
    expect(addressText(c.AF_INET6, Buffer.from("20010db8000100020003000400050006", "hex"))).toBe("2001:db8:1:2:3:4:5:6");
  });
});
