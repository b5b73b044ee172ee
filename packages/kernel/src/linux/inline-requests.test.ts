import { describe, expect, it } from "vitest";
import * as c from "./rtnetlink/constants.js";
import { attr, attrString, attrU32, message } from "./rtnetlink/encode.js";
import { ifinfomsg } from "./rtnetlink/messages.js";
import { answeredInline, answeredInlineInSandbox, nftAnsweredInline } from "./inline-requests.js";
import * as nf from "./nft-elements/constants.js";

const ack = c.NLM_F_REQUEST | c.NLM_F_ACK;
const name = attrString(c.IFLA_IFNAME, "veth0");

describe("answeredInline: which requests skip the libuv pool", () => {
  it("sends address, route and neighbour requests, link creation, single gets and quick link changes inline", () => {
    for (const m of [
      message(c.RTM_NEWADDR, ack | c.NLM_F_CREATE | c.NLM_F_EXCL, Buffer.alloc(8), []),
      message(c.RTM_DELROUTE, ack, Buffer.alloc(12), []),
      message(29 /* RTM_DELNEIGH */, ack, Buffer.alloc(12), []),
      message(c.RTM_GETLINK, c.NLM_F_REQUEST, ifinfomsg(), [name]),
      message(c.RTM_NEWLINK, ack | c.NLM_F_CREATE | c.NLM_F_EXCL, ifinfomsg(), [name]),
      message(c.RTM_SETLINK, ack, ifinfomsg({ flags: c.IFF_UP, change: c.IFF_UP }), [name]),
      message(c.RTM_SETLINK, ack, ifinfomsg({ index: 7 }), [attrU32(c.IFLA_MTU, 1400), attrString(c.IFLA_IFNAME, "eth0")]),
    ]) {
      expect(answeredInline(m), `type ${m.readUInt16LE(4)}`).toBe(true);
    }
  });

  it("leaves dumps, deletes, links taken down and master or namespace moves to the pool (they wait in the kernel)", () => {
    for (const m of [
      message(c.RTM_GETLINK, c.NLM_F_REQUEST | c.NLM_F_DUMP, ifinfomsg(), []),
      message(c.RTM_GETADDR, c.NLM_F_REQUEST | c.NLM_F_DUMP, Buffer.alloc(8), []),
      message(c.RTM_DELLINK, ack, ifinfomsg(), [name]),
      message(c.RTM_NEWLINK, ack, ifinfomsg({ flags: 0, change: c.IFF_UP }), [name]),
      message(c.RTM_SETLINK, ack, ifinfomsg({ flags: 0, change: c.IFF_UP }), [name]),
      message(c.RTM_SETLINK, ack, ifinfomsg(), [name, attrU32(c.IFLA_MASTER, 0)]),
      message(c.RTM_SETLINK, ack, ifinfomsg(), [name, attrU32(c.IFLA_NET_NS_FD, 9)]),
      message(c.RTM_SETLINK, ack, ifinfomsg(), [name, attr(19 /* IFLA_NET_NS_PID */, Buffer.alloc(4))]),
    ]) {
      expect(answeredInline(m), `type ${m.readUInt16LE(4)} flags ${m.readUInt16LE(6)}`).toBe(false);
    }
  });

  it("in a sandbox's namespace also sends link dumps inline (a handful of links), nothing else that waits", () => {
    expect(answeredInlineInSandbox(message(c.RTM_GETLINK, c.NLM_F_REQUEST | c.NLM_F_DUMP, ifinfomsg(), []))).toBe(true);
    expect(answeredInlineInSandbox(message(c.RTM_NEWADDR, ack | c.NLM_F_CREATE, Buffer.alloc(8), []))).toBe(true);
    expect(answeredInlineInSandbox(message(c.RTM_GETADDR, c.NLM_F_REQUEST | c.NLM_F_DUMP, Buffer.alloc(8), []))).toBe(false);
    expect(answeredInlineInSandbox(message(c.RTM_DELLINK, ack, ifinfomsg(), [name]))).toBe(false);
  });

  it("on nfnetlink sends batch delimiters, set gets and element changes inline; dumps and rule or set changes go to the pool", () => {
    const nft = (type: number, flags = c.NLM_F_REQUEST) => message(type, flags, Buffer.alloc(4), []);
    for (const m of [nft(nf.NFNL_MSG_BATCH_BEGIN), nft(nf.NFNL_MSG_BATCH_END), nft((10 << 8) | nf.NFT_MSG_NEWSETELEM, ack | c.NLM_F_CREATE), nft((10 << 8) | nf.NFT_MSG_DELSETELEM), nft((10 << 8) | nf.NFT_MSG_GETSET), nft((10 << 8) | c.NFT_MSG_GETGEN)]) {
      expect(nftAnsweredInline(m), `type ${m.readUInt16LE(4)}`).toBe(true);
    }
    for (const m of [nft((10 << 8) | nf.NFT_MSG_GETSET, c.NLM_F_REQUEST | c.NLM_F_DUMP), nft((10 << 8) | nf.NFT_MSG_NEWSET, ack | c.NLM_F_CREATE), nft((10 << 8) | 6 /* NFT_MSG_NEWRULE */, ack | c.NLM_F_CREATE), nft((10 << 8) | 0 /* NFT_MSG_NEWTABLE */)]) {
      expect(nftAnsweredInline(m), `type ${m.readUInt16LE(4)}`).toBe(false);
    }
  });
});
