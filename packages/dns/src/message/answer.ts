/**
 * What the server does with one query from a sandbox: answer from the network's names,
 * hand it to the forwarder, answer an error, or drop it. Pure: no sockets here.
 */
import * as packet from "dns-packet";
import type { Answer, DecodedPacket } from "dns-packet";
import type { NameTable } from "../names/table.js";
import { addressOfReverseName } from "../names/table.js";
import { MAX_UDP, RCODE, buildError, buildHeaderError, buildReply, udpLimit } from "./build.js";

/** Names served locally carry TTL 0: they change with connect and disconnect, so nobody may cache them. */
export const LOCAL_TTL = 0;

/** The network a query arrived for. */
export interface QueryContext {
  readonly table: NameTable;
  /**
   * The tables of the querier's other networks (aardvark-dns does the same): a sandbox on X
   * and Y asking X's server also finds Y's names, so a resolver that stops at the first
   * server's NXDOMAIN (glibc) still sees both networks. Absent or empty: only `table`.
   */
  readonly peers?: (source: string) => readonly NameTable[];
  /** False on internal networks and with forwarding off: other names get REFUSED. */
  readonly forwarding: boolean;
  /** True for addresses inside the network's subnets: their reverse names are answered here. */
  readonly inSubnets: (ip: string) => boolean;
  /** A counter for round-robin order among several addresses of one name. */
  readonly turn: () => number;
}

export type Outcome =
  /**
   * `rotations` is set on answers from the name tables (not on errors about the packet nor
   * on forwarded answers): they depend only on the query's bytes after its id, the tables and
   * `turn() % rotations`, so a cache may keep one reply per rotation.
   */
  | { readonly kind: "reply"; readonly data: Buffer; readonly rotations?: number }
  /** `raw` is the query as received: forwarded as is, with a fresh id. */
  | { readonly kind: "forward"; readonly query: DecodedPacket; readonly raw: Buffer }
  | { readonly kind: "drop" };

const HEADER = 12;

/** Handles one raw query from `source`; `transport` decides whether the UDP size limit applies. */
export function handleQuery(raw: Buffer, ctx: QueryContext, transport: "udp" | "tcp", source?: string): Outcome {
  // Shorter than a header or a response (QR set): never answer, so nobody can bounce packets off us.
  if (raw.length < HEADER || (raw[2]! & 0x80) !== 0) return { kind: "drop" };
  // No sandbox's resolver sends a UDP query larger than the biggest payload we offer: such a datagram is noise.
  if (transport === "udp" && raw.length > MAX_UDP) return { kind: "drop" };
  let query: DecodedPacket;
  try {
    query = packet.decode(raw);
  } catch {
    return { kind: "reply", data: buildHeaderError(raw.readUInt16BE(0), RCODE.FORMERR) };
  }
  // Opcode from the header: dns-packet decodes it but does not type it.
  if (((raw[2]! >> 3) & 0xf) !== 0) return { kind: "reply", data: buildHeaderError(query.id ?? 0, RCODE.NOTIMP) };
  const q = query.questions?.[0];
  if (!q || query.questions!.length !== 1) return { kind: "reply", data: buildHeaderError(query.id ?? 0, RCODE.FORMERR) };
  const limit = transport === "udp" ? udpLimit(query) : null;
  if (q.class !== undefined && q.class !== "IN" && q.class !== "ANY") return forwardOr(query, raw, ctx);

  const tables = source === undefined || !ctx.peers ? [ctx.table] : [ctx.table, ...ctx.peers(source).filter((t) => t !== ctx.table)];
  const reverse = q.type === "PTR" ? addressOfReverseName(q.name) : undefined;
  if (reverse !== undefined) {
    const name = first(tables, (t) => t.nameOf(reverse));
    if (name !== undefined) return reply(query, RCODE.NOERROR, [{ type: "PTR", name: q.name, ttl: LOCAL_TTL, data: name }], limit, 1);
    // Our own subnets are ours to answer: never ask the world who 10.x.y.z is.
    if (ctx.inSubnets(reverse)) return reply(query, RCODE.NXDOMAIN, [], limit, 1);
    return forwardOr(query, raw, ctx);
  }

  const found = first(tables, (t) => t.lookup(q.name));
  if (found === undefined) {
    // A single label cannot be resolved upstream meaningfully (and would leak sandbox names).
    return q.name.replace(/\.$/, "").includes(".") ? forwardOr(query, raw, ctx) : reply(query, RCODE.NXDOMAIN, [], limit, 1);
  }
  // The name exists: anything but A/AAAA, and a family it has no address in, is NODATA.
  const list = q.type === "A" ? found.v4 : q.type === "AAAA" ? found.v6 : [];
  const start = list.length > 1 ? ctx.turn() % list.length : 0;
  const ordered = [...list.slice(start), ...list.slice(0, start)];
  const answers = ordered.map((ip) => ({ type: q.type, name: q.name, ttl: LOCAL_TTL, data: ip }) as Answer);
  return reply(query, RCODE.NOERROR, answers, limit, Math.max(1, list.length));
}

function first<T>(tables: readonly NameTable[], get: (t: NameTable) => T | undefined): T | undefined {
  for (const t of tables) {
    const got = get(t);
    if (got !== undefined) return got;
  }
  return undefined;
}

function reply(query: DecodedPacket, rcode: (typeof RCODE)[keyof typeof RCODE], answers: Answer[], limit: number | null, rotations: number): Outcome {
  return { kind: "reply", data: buildReply(query, rcode, answers, limit), rotations };
}

function forwardOr(query: DecodedPacket, raw: Buffer, ctx: QueryContext): Outcome {
  return ctx.forwarding ? { kind: "forward", query, raw } : { kind: "reply", data: buildError(query, RCODE.REFUSED) };
}
