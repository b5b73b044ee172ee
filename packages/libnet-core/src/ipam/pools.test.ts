import { describe, expect, it } from "vitest";
import { expectNetdError } from "./expect-error.test-helper.js";
import { DOCKER_DEFAULT_POOLS4, firstFreeSubnet, parsePools } from "./pools.js";
import { formatPrefix, overlaps, parseCidr } from "./subnet.js";
import type { Prefix } from "./subnet.js";

const cidr = (text: string): Prefix => parseCidr(text)!;

describe("default pools", () => {
  it("are Docker's defaults", () => {
    expect(DOCKER_DEFAULT_POOLS4).toHaveLength(16);
    expect(DOCKER_DEFAULT_POOLS4[0]).toEqual({ base: "172.17.0.0/16", size: 16 });
    expect(DOCKER_DEFAULT_POOLS4[14]).toEqual({ base: "172.31.0.0/16", size: 16 });
    expect(DOCKER_DEFAULT_POOLS4[15]).toEqual({ base: "192.168.0.0/16", size: 20 });
  });

  it("rejects malformed pools", () => {
    expectNetdError(() => parsePools(4, [{ base: "172.17.0.1/16", size: 16 }], "pool"), "INVALID_POOL", /use 172\.17\.0\.0\/16/);
    expectNetdError(() => parsePools(4, [{ base: "fd00::/48", size: 64 }], "pool"), "INVALID_POOL");
    expectNetdError(() => parsePools(4, [{ base: "10.0.0.0/8", size: 7 }], "pool"), "INVALID_POOL", /between 8 and 32/);
    expectNetdError(() => parsePools(4, [{ base: "10.0.0.0/8", size: 33 }], "pool"), "INVALID_POOL");
    expectNetdError(() => parsePools(4, [{ base: "10.0.0.0/8", size: 24.5 }], "pool"), "INVALID_POOL");
  });
});

describe("firstFreeSubnet", () => {
  const pools = parsePools(4, [{ base: "10.0.0.0/16", size: 24 }, { base: "192.168.0.0/23", size: 24 }], "pool");

  it("walks pools in order", () => {
    expect(formatPrefix(firstFreeSubnet(pools, [])!)).toBe("10.0.0.0/24");
    expect(formatPrefix(firstFreeSubnet(pools, [cidr("10.0.0.0/24")])!)).toBe("10.0.1.0/24");
  });

  it("skips subnets that overlap smaller or larger existing ones", () => {
    expect(formatPrefix(firstFreeSubnet(pools, [cidr("10.0.0.128/25")])!)).toBe("10.0.1.0/24");
    expect(formatPrefix(firstFreeSubnet(pools, [cidr("10.0.0.0/23"), cidr("10.0.2.7/32")])!)).toBe("10.0.3.0/24");
    expect(formatPrefix(firstFreeSubnet(pools, [cidr("10.0.0.0/16")])!)).toBe("192.168.0.0/24");
    expect(formatPrefix(firstFreeSubnet(pools, [cidr("0.0.0.0/1")])!)).toBe("192.168.0.0/24");
  });

  it("returns null when all are taken, quickly even for big pools", () => {
    expect(firstFreeSubnet(pools, [cidr("10.0.0.0/8"), cidr("192.168.0.0/16")])).toBeNull();
    const big = parsePools(4, [{ base: "10.0.0.0/8", size: 30 }], "pool");
    const taken = Array.from({ length: 200 }, (_, i) => cidr(`10.${i}.0.0/16`));
    expect(formatPrefix(firstFreeSubnet(big, taken)!)).toBe("10.200.0.0/30");
  });

  it("handles unsorted and nested taken prefixes", () => {
    const taken = [cidr("10.0.2.0/24"), cidr("10.0.0.5/32"), cidr("10.0.0.0/23"), cidr("fd00::/8")];
    expect(formatPrefix(firstFreeSubnet(pools, taken)!)).toBe("10.0.3.0/24");
  });

  it("agrees with a naive scan on random layouts", () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const small = parsePools(4, [{ base: "10.0.0.0/22", size: 26 }, { base: "10.8.0.0/24", size: 28 }], "pool");
    const candidates = small.flatMap(({ base, size }) =>
      Array.from({ length: 2 ** (size - base.length) }, (_, i) => ({ family: 4 as const, base: base.base + BigInt(i) * (1n << BigInt(32 - size)), length: size })),
    );
    for (let round = 0; round < 300; round++) {
      // Mostly whole candidates (so the answer moves around), plus stray smaller and larger prefixes.
      const taken: Prefix[] = candidates.filter(() => rand(10) < 8);
      for (let k = rand(4); k > 0; k--) {
        const length = 22 + rand(11);
        const base = (rand(2) ? 0x0a000000n : 0x0a080000n) + BigInt(rand(1024));
        taken.push({ family: 4, base: (base >> BigInt(32 - length)) << BigInt(32 - length), length });
      }
      const naive = candidates.find((c) => !taken.some((t) => overlaps(t, c))) ?? null;
      expect(firstFreeSubnet(small, taken)).toEqual(naive);
    }
  });
});
