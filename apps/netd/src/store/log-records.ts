/**
 * The log's line format: `<crc32 hex of json> <json>\n` with json `{"s":seq,"o":[ops]}`.
 * A record counts only when its line is complete (ends with "\n") and its checksum matches;
 * an incomplete or damaged LAST line is a write torn by a crash (its apply never returned)
 * and is dropped. A damaged line before the last is corruption and stops the open.
 */
import { crc32 } from "node:zlib";
import { NetdError } from "@netd/driverapi";
import type { StoreOp } from "@netd/libnet-core";

/** One applied batch. */
export interface LogRecord {
  readonly seq: number;
  readonly ops: readonly StoreOp[];
}

/** Encodes a batch as one log line (with its newline). */
export function encodeRecord(record: LogRecord): string {
  const json = JSON.stringify({ s: record.seq, o: record.ops });
  return `${crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
}

/** The records of a log file and the byte length of its valid part (where to truncate). */
export interface ParsedLog {
  readonly records: LogRecord[];
  readonly validBytes: number;
  /** True when a torn or damaged last line was dropped. */
  readonly tornTail: boolean;
}

/** Parses a whole log file; throws STORE_CORRUPT for a damaged line that is not the last. */
export function parseLog(buf: Buffer, path: string): ParsedLog {
  const records: LogRecord[] = [];
  let offset = 0;
  let line = 0;
  while (offset < buf.length) {
    const nl = buf.indexOf(0x0a, offset);
    if (nl < 0) return { records, validBytes: offset, tornTail: true };
    line++;
    const record = decodeLine(buf.subarray(offset, nl).toString("utf8"));
    if (record === null) {
      if (nl + 1 >= buf.length) return { records, validBytes: offset, tornTail: true };
      throw new NetdError({
        code: "STORE_CORRUPT",
        category: "internal",
        message: `store log ${path} is damaged at line ${line} (byte ${offset}), before its last record`,
        hint: "restore the data dir from a backup, or run `netd cleanup` and start afresh",
      });
    }
    records.push(record);
    offset = nl + 1;
  }
  return { records, validBytes: offset, tornTail: false };
}

function decodeLine(text: string): LogRecord | null {
  const space = text.indexOf(" ");
  if (space !== 8) return null;
  const json = text.slice(9);
  if (crc32(json).toString(16).padStart(8, "0") !== text.slice(0, 8)) return null;
  try {
    const v = JSON.parse(json) as { s?: unknown; o?: unknown };
    if (typeof v.s !== "number" || !Array.isArray(v.o)) return null;
    return { seq: v.s, ops: v.o as StoreOp[] };
  } catch {
    return null;
  }
}
