import * as packet from "dns-packet";
import type { Answer, DecodedPacket, Packet } from "dns-packet";
import { describe, expect, it } from "vitest";
import { NameTable } from "../names/table.js";
import type { QueryContext } from "./answer.js";
import { handleQuery } from "./answer.js";

let turn = 0;
const ctx = (forwarding = true, entries = [{ names: ["web", "svc"], ipv4: "10.1.0.2", ipv6: null }, { names: ["db", "svc"], ipv4: "10.1.0.3", ipv6: "fd00::3" }]): QueryContext => ({
  table: new NameTable(entries),
  forwarding,
  inSubnets: (ip) => ip.startsWith("10.1.0."),
  turn: () => turn++,
});

function q(name: string, type: string, extra: Partial<Packet> = {}): Buffer {
  return packet.encode({ type: "query", id: 4242, flags: packet.RECURSION_DESIRED, questions: [{ name, type: type as "A" }], ...extra });
}

function reply(raw: Buffer, c = ctx(), transport: "udp" | "tcp" = "udp"): DecodedPacket & { rcode: string; flag_tc: boolean; flag_aa: boolean } {
  const o = handleQuery(raw, c, transport);
  if (o.kind !== "reply") throw new Error(`expected a reply, got ${o.kind}`);
  return packet.decode(o.data) as DecodedPacket & { rcode: string; flag_tc: boolean; flag_aa: boolean };
}

const data = (p: DecodedPacket) => (p.answers ?? []).map((a) => (a as { data: unknown }).data);

describe("handleQuery", () => {
  it("answers A and AAAA for names, NODATA for a family or type without records, NXDOMAIN for unknown single labels", () => {
    const a = reply(q("web", "A"));
    expect(a).toMatchObject({ id: 4242, rcode: "NOERROR", flag_aa: true });
    expect(data(a)).toEqual(["10.1.0.2"]);
    expect((a.answers![0] as Answer & { ttl: number }).ttl).toBe(0);
    expect(data(reply(q("DB.", "AAAA")))).toEqual(["fd00::3"]);
    const nodata = reply(q("web", "AAAA"));
    expect([nodata.rcode, nodata.answers]).toEqual(["NOERROR", []]);
    expect(reply(q("web", "MX")).rcode).toBe("NOERROR");
    expect(reply(q("nothere", "A")).rcode).toBe("NXDOMAIN");
  });

  it("answers PTR for known addresses, NXDOMAIN for unknown ones in its subnets, forwards others", () => {
    expect(data(reply(q("3.0.1.10.in-addr.arpa", "PTR")))).toEqual(["db"]);
    expect(reply(q("9.0.1.10.in-addr.arpa", "PTR")).rcode).toBe("NXDOMAIN");
    expect(handleQuery(q("8.8.8.8.in-addr.arpa", "PTR"), ctx(), "udp").kind).toBe("forward");
  });

  it("rotates several addresses of a shared alias", () => {
    const first = data(reply(q("svc", "A")));
    const second = data(reply(q("svc", "A")));
    expect(new Set(first)).toEqual(new Set(["10.1.0.2", "10.1.0.3"]));
    expect(second).toEqual([...first].reverse());
  });

  it("forwards dotted unknown names; on internal networks (no forwarding) answers REFUSED", () => {
    expect(handleQuery(q("example.com", "A"), ctx(), "udp").kind).toBe("forward");
    expect(reply(q("example.com", "A"), ctx(false)).rcode).toBe("REFUSED");
    expect(data(reply(q("web", "A"), ctx(false)))).toEqual(["10.1.0.2"]);
  });

  it("sets TC over UDP when the answer exceeds 512 bytes (or the EDNS size); TCP gets everything", () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ names: ["crowd"], ipv4: `10.1.0.${i + 10}`, ipv6: null }));
    const udp = reply(q("crowd", "A"), ctx(true, many));
    expect([udp.flag_tc, udp.answers]).toEqual([true, []]);
    const tcp = reply(q("crowd", "A"), ctx(true, many), "tcp");
    expect([tcp.flag_tc, tcp.answers!.length]).toEqual([false, 60]);
    const edns = reply(q("crowd", "A", { additionals: [{ type: "OPT", name: ".", udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] }), ctx(true, many));
    expect([edns.flag_tc, edns.answers!.length]).toEqual([false, 60]);
  });

  it("bad input: drops short packets and responses, FORMERR for garbage and several questions, NOTIMP for other opcodes; errors are no bigger than the query", () => {
    expect(handleQuery(Buffer.from([1, 2, 3]), ctx(), "udp").kind).toBe("drop");
    const resp = packet.encode({ type: "response", id: 1, questions: [{ name: "web", type: "A" }] });
    expect(handleQuery(resp, ctx(), "udp").kind).toBe("drop");
    const garbage = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.alloc(40, 0xff)]);
    const formerr = handleQuery(garbage, ctx(), "udp");
    if (formerr.kind !== "reply") throw new Error("expected a reply");
    expect(formerr.data.length).toBeLessThanOrEqual(garbage.length);
    expect(packet.decode(formerr.data)).toMatchObject({ id: 0x1234, rcode: "FORMERR" });
    const two = packet.encode({ type: "query", id: 7, questions: [{ name: "web", type: "A" }, { name: "db", type: "A" }] });
    expect(reply(two).rcode).toBe("FORMERR");
    const notify = q("web", "A");
    notify[2] = (notify[2]! & 0x87) | (4 << 3);
    expect(reply(notify).rcode).toBe("NOTIMP");
    // Over UDP a datagram bigger than any payload we offer is dropped; over TCP the same query is answered.
    const padded = Buffer.concat([q("web", "A"), Buffer.alloc(5000)]);
    expect(handleQuery(padded, ctx(), "udp").kind).toBe("drop");
    expect(data(reply(padded, ctx(), "tcp"))).toEqual(["10.1.0.2"]);
  });
});
