/**
 * Answers from the name tables, kept per network (the service replaces a network's cache on
 * every name change, so nothing stale is ever served). Decoding a query and encoding its reply with
 * dns-packet costs ~20 µs; a hit costs a map lookup and a copy with the query's id written in.
 * Keyed by the querier (its other networks' names may answer), the transport (UDP truncates)
 * and the query's bytes after its id. Round-robin is kept: one reply per rotation.
 */
import { handleQuery } from "../message/answer.js";
import type { Outcome, QueryContext } from "../message/answer.js";

/** Entries per context; when full the cache starts over (a flood of distinct junk cannot grow it). */
const MAX_ENTRIES = 4096;
/** Names with more addresses than this are answered without the cache. */
const MAX_ROTATIONS = 32;

export class ReplyCache {
  private readonly entries = new Map<string, Buffer[]>();
  private readonly subnetOf = new Map<string, boolean>();

  constructor(private readonly ctx: QueryContext) {}

  /** The context answers are computed from. */
  get context(): QueryContext {
    return this.ctx;
  }

  /** The context's `inSubnets`, remembered per source address. */
  inSubnets(source: string): boolean {
    let known = this.subnetOf.get(source);
    if (known === undefined) {
      if (this.subnetOf.size >= MAX_ENTRIES) this.subnetOf.clear();
      known = this.ctx.inSubnets(source);
      this.subnetOf.set(source, known);
    }
    return known;
  }

  /** {@link handleQuery} for `raw` from `source`, from the cache when the same question was answered before. */
  handle(raw: Buffer, transport: "udp" | "tcp", source: string): Outcome {
    if (raw.length < 12) return handleQuery(raw, this.ctx, transport, source);
    const key = `${source}|${transport}|${raw.toString("latin1", 2)}`;
    const replies = this.entries.get(key);
    if (replies) {
      const pick = replies.length > 1 ? this.ctx.turn() % replies.length : 0;
      const data = Buffer.from(replies[pick]!);
      data.writeUInt16BE(raw.readUInt16BE(0), 0);
      return { kind: "reply", data };
    }
    // Rotation r is what turn() = r yields; every rotation is computed once.
    const base = handleQuery(raw, { ...this.ctx, turn: () => 0 }, transport, source);
    if (base.kind !== "reply" || base.rotations === undefined) return base;
    if (base.rotations > MAX_ROTATIONS) return handleQuery(raw, this.ctx, transport, source);
    const all = [base.data];
    for (let r = 1; r < base.rotations; r++) {
      const o = handleQuery(raw, { ...this.ctx, turn: () => r }, transport, source);
      if (o.kind !== "reply") return base;
      all.push(o.data);
    }
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, all);
    const pick = all.length > 1 ? this.ctx.turn() % all.length : 0;
    return { kind: "reply", data: Buffer.from(all[pick]!) };
  }
}
