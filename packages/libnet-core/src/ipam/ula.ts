/** RFC 4193 unique local IPv6 prefixes for networks created without an IPv6 subnet. */
import { formatIp } from "./subnet.js";

/** A uniformly random number in [0, 1) from the platform's CSPRNG. */
export function cryptoRandom(): number {
  const word = globalThis.crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  return word / 2 ** 32;
}

/**
 * A random fdXX:XXXX:XXXX::/48: "fd" followed by a 40-bit global id, one byte at a time
 * from `random` (values in [0, 1)). Called once per Ipam, in its constructor.
 */
export function generateUla48(random: () => number): string {
  let value = 0xfdn;
  for (let i = 0; i < 5; i++) {
    const r = random();
    const byte = Number.isFinite(r) ? Math.min(255, Math.max(0, Math.floor(r * 256))) : 0;
    value = (value << 8n) | BigInt(byte);
  }
  return `${formatIp(6, value << 80n)}/48`;
}
