import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { parseIp } from "./ip-text.js";

/**
 * What validate.ts accepted through ipaddr.js before ip-text.ts, and the text it produced; with
 * one deliberate difference: ipaddr.js reads "::a.b.c.d" as ::ffff:a.b.c.d, while inet_pton (and
 * so `ip` and the kernel's users) reads the zeros as written, ::a.b.c.d; and an embedded IPv4 tail
 * must be a plain dotted quad (no leading zeros, which ipaddr.js took, as inet_pton does not).
 * parseIp follows inet_pton in both.
 */
function reference(value: string): { family: 4 | 6; bytes: number[]; text: string } | null {
  const compat = /^::(\d+\.\d+\.\d+\.\d+)$/.exec(value);
  if (compat && ipaddr.IPv4.isValidFourPartDecimal(compat[1]!)) {
    const b = [...new Array<number>(12).fill(0), ...ipaddr.IPv4.parse(compat[1]!).toByteArray()];
    const a = ipaddr.IPv6.parse(`::${((b[12]! << 8) | b[13]!).toString(16)}:${((b[14]! << 8) | b[15]!).toString(16)}`);
    return { family: 6, bytes: b, text: a.toString() };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) {
    const a = ipaddr.IPv4.parse(value);
    return { family: 4, bytes: a.toByteArray(), text: a.toString() };
  }
  const tail = value.slice(value.lastIndexOf(":") + 1);
  if (tail.includes(".") && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return null;
  if (value.includes(":") && ipaddr.IPv6.isValid(value) && !value.includes("%")) {
    const a = ipaddr.IPv6.parse(value);
    return { family: 6, bytes: a.toByteArray(), text: a.toString() };
  }
  return null;
}

function ours(value: string) {
  const p = parseIp(value);
  return p === null ? null : { family: p.family, bytes: [...p.bytes], text: p.text };
}

// A seeded generator, so a failure names an input that reproduces.
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const FIXED = [
  "10.0.0.1", "0.0.0.0", "255.255.255.255", "256.0.0.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..2.3", " 1.2.3.4", "1.2.3.4 ",
  "0x1.2.3.4", "1.2.3.04", "", ":", "::", ":::", "::1", "1::", "fd00::1", "FD00::A", "fe80::1%eth0", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7::8", "1::2::3", "12345::1", "::ffff:10.0.0.1", "::10.0.0.1", "1:2:3:4:5:6:1.2.3.4",
  "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", "1.2.3.4::", "0:0:0:0:0:0:0:0", "1:0:0:2:0:0:0:3", "1:0:0:2:0:0:3:4", "0:1:0:0:0:0:0:0", "2001:db8:0:0:1:0:0:1",
  "fd77::1/64", "::0.0.0.1", "::ffff:0.0.0.0", "g::1", "::ffff:1.2.3.256", "1:2:3:4:5:6:7:", ":1:2:3:4:5:6:7", "fd77:0000:0000::0001", "00000::1",
];

describe("parseIp", () => {
  it("accepts and prints exactly what the ipaddr.js-based validation did (fixed cases)", () => {
    for (const v of FIXED) expect({ v, r: ours(v) }).toEqual({ v, r: reference(v) });
  });

  it("agrees with it on 30,000 generated addresses and near-misses", () => {
    const r = rng(12);
    const pieces = ["0", "1", "00", "ff", "FFFF", "abcd", "0db8", "10000", "g", "", "1.2.3.4", "255.0.0.1", "300.1.1.1", ":", "::"];
    for (let n = 0; n < 30_000; n++) {
      let v: string;
      if (r(3) === 0) {
        v = Array.from({ length: 3 + r(3) }, () => String(r(10) === 0 ? r(400) : r(256))).join(r(20) === 0 ? ".." : ".");
      } else {
        const groups = Array.from({ length: 1 + r(9) }, () => pieces[r(pieces.length)]!);
        v = groups.join(":");
        if (r(2) === 0) {
          const at = r(v.length + 1);
          v = `${v.slice(0, at)}::${v.slice(at)}`;
        }
      }
      expect({ v, r: ours(v) }).toEqual({ v, r: reference(v) });
    }
  });
});
