import * as packet from "dns-packet";
import type { DecodedPacket } from "dns-packet";
import { describe, expect, it } from "vitest";
import { NameTable } from "../names/table.js";
import type { QueryContext } from "../message/answer.js";
import { ReplyCache } from "./reply-cache.js";

let turn = 0;
let subnetChecks = 0;
const ctx: QueryContext = {
  table: new NameTable([
    { names: ["a", "pool"], ipv4: "10.1.0.2", ipv6: null },
    { names: ["b", "pool"], ipv4: "10.1.0.3", ipv6: null },
    { names: ["c", "pool"], ipv4: "10.1.0.4", ipv6: null },
  ]),
  forwarding: true,
  inSubnets: (ip) => (subnetChecks++, ip.startsWith("10.1.0.")),
  turn: () => turn++,
};
const q = (id: number, name: string) => packet.encode({ type: "query", id, flags: packet.RECURSION_DESIRED, questions: [{ name, type: "A" }] });
const answer = (o: ReturnType<ReplyCache["handle"]>) => {
  if (o.kind !== "reply") throw new Error(`expected a reply, got ${o.kind}`);
  const p = packet.decode(o.data) as DecodedPacket & { rcode: string };
  return { id: p.id, rcode: p.rcode, data: (p.answers ?? []).map((a) => (a as { data: string }).data) };
};

describe("ReplyCache", () => {
  it("answers repeated questions with the query's own id and keeps round-robin", () => {
    const cache = new ReplyCache(ctx);
    const firsts = new Set<string>();
    for (let id = 1; id <= 6; id++) {
      const r = answer(cache.handle(q(id, "pool"), "udp", "10.1.0.9"));
      expect(r.id).toBe(id);
      expect([...r.data].sort()).toEqual(["10.1.0.2", "10.1.0.3", "10.1.0.4"]);
      firsts.add(r.data[0]!);
    }
    expect(firsts.size).toBe(3);
    expect(answer(cache.handle(q(7, "nope"), "udp", "10.1.0.9"))).toEqual({ id: 7, rcode: "NXDOMAIN", data: [] });
    expect(answer(cache.handle(q(8, "nope"), "udp", "10.1.0.9"))).toEqual({ id: 8, rcode: "NXDOMAIN", data: [] });
  });

  it("never caches forwards nor drops, and remembers subnet checks per source", () => {
    const cache = new ReplyCache(ctx);
    expect(cache.handle(q(1, "example.org"), "udp", "10.1.0.9").kind).toBe("forward");
    expect(cache.handle(q(2, "example.org"), "udp", "10.1.0.9").kind).toBe("forward");
    expect(cache.handle(Buffer.from([1, 2, 3]), "udp", "10.1.0.9").kind).toBe("drop");
    subnetChecks = 0;
    for (let k = 0; k < 5; k++) expect(cache.inSubnets("10.1.0.9")).toBe(true);
    expect(cache.inSubnets("10.2.0.9")).toBe(false);
    expect(subnetChecks).toBe(2);
  });
});
