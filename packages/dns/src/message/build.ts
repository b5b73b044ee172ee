/** Responses built with dns-packet: errors echo at most the question, so no error is bigger than its query. */
import * as packet from "dns-packet";
import type { Answer, DecodedPacket, Question } from "dns-packet";

/** Response codes used here (RFC 1035 §4.1.1, RFC 6895). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = (typeof RCODE)[keyof typeof RCODE];

/** Smallest UDP payload every resolver accepts (RFC 1035) and the largest we offer with EDNS. */
export const MIN_UDP = 512;
export const MAX_UDP = 4096;

/** The largest UDP answer the querier accepts: its EDNS payload size (512-4096) or 512. */
export function udpLimit(query: DecodedPacket): number {
  const opt = (query.additionals ?? []).find((a) => a.type === "OPT");
  const size = opt && "udpPayloadSize" in opt ? opt.udpPayloadSize : MIN_UDP;
  return Math.max(MIN_UDP, Math.min(MAX_UDP, size));
}

function hasEdns(query: DecodedPacket): boolean {
  return (query.additionals ?? []).some((a) => a.type === "OPT");
}

/** Flags of a response to `query`: RD copied, RA set (we recurse for the querier), AA for local answers. */
function flagsFor(query: DecodedPacket | null, rcode: Rcode, authoritative: boolean): number {
  let flags = rcode | packet.RECURSION_AVAILABLE;
  if (query?.flag_rd) flags |= packet.RECURSION_DESIRED;
  if (authoritative) flags |= packet.AUTHORITATIVE_ANSWER;
  return flags;
}

/**
 * A response to `query` with `answers`; when it does not fit `limit` bytes (UDP) it is sent
 * with TC set and no answers, so the client retries over TCP (RFC 7766).
 */
export function buildReply(query: DecodedPacket, rcode: Rcode, answers: Answer[], limit: number | null, authoritative = true): Buffer {
  const questions: Question[] = query.questions ?? [];
  const additionals: Answer[] = hasEdns(query) ? [{ type: "OPT", name: ".", udpPayloadSize: MAX_UDP, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [];
  const full = { type: "response" as const, id: query.id ?? 0, flags: flagsFor(query, rcode, authoritative), questions, answers, additionals };
  const data = packet.encode(full);
  if (limit === null || data.length <= limit) return data;
  return packet.encode({ ...full, flags: full.flags | packet.TRUNCATED_RESPONSE, answers: [] });
}

/** A header-only error for a query dns-packet could not decode (id taken from the raw header). */
export function buildHeaderError(id: number, rcode: Rcode): Buffer {
  return packet.encode({ type: "response", id, flags: flagsFor(null, rcode, false), questions: [], answers: [] });
}

/** An error answer to a decoded query, echoing its question. */
export function buildError(query: DecodedPacket, rcode: Rcode): Buffer {
  return buildReply(query, rcode, [], null, false);
}
