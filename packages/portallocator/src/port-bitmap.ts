/**
 * A set of ports 0-65535 as a two-level bitmap.
 *
 * Level 0 (`words`) has one bit per port, 32 ports per Uint32 word. Level 1 (`full`) has
 * one bit per level-0 word, set while that word is completely allocated. A scan can then
 * skip 32 ports per word test and 1,024 ports per summary test, so finding the next free
 * port costs at most ~2,100 word operations per bitmap even when the range is 99 % full and
 * the only free port sits right behind the cursor (see `find-free.ts`).
 */
export class PortBitmap {
  /** One bit per port: bit `p & 31` of word `p >>> 5`. */
  readonly words = new Uint32Array(2048);
  /** One bit per word of `words`, set while that word is 0xffffffff. */
  readonly full = new Uint32Array(64);
  #size = 0;

  /** How many ports are set. */
  get size(): number {
    return this.#size;
  }

  /** True when `port` is set. */
  has(port: number): boolean {
    return ((this.words[port >>> 5]! >>> (port & 31)) & 1) === 1;
  }

  /** Sets `port`; returns false when it was already set. */
  add(port: number): boolean {
    const w = port >>> 5;
    const bit = 1 << (port & 31);
    const word = this.words[w]!;
    if ((word & bit) !== 0) return false;
    const next = (word | bit) >>> 0;
    this.words[w] = next;
    if (next === 0xffffffff) this.full[w >>> 5]! |= 1 << (w & 31);
    this.#size++;
    return true;
  }

  /** Clears `port`; returns false when it was not set. */
  delete(port: number): boolean {
    const w = port >>> 5;
    const bit = 1 << (port & 31);
    const word = this.words[w]!;
    if ((word & bit) === 0) return false;
    this.words[w] = word & ~bit;
    this.full[w >>> 5]! &= ~(1 << (w & 31));
    this.#size--;
    return true;
  }

  /** Clears every port. */
  clear(): void {
    this.words.fill(0);
    this.full.fill(0);
    this.#size = 0;
  }
}

/**
 * Ports held by *any* specific address of one family and protocol, so that a request for
 * the unspecified address tests one bitmap instead of one per address. `counts` tracks how
 * many addresses hold each port; the bit is set while the count is above zero.
 */
export class PortUnion {
  readonly bitmap = new PortBitmap();
  readonly #counts = new Uint32Array(65536);

  /** Records that one more address holds `port`. */
  add(port: number): void {
    if (this.#counts[port]!++ === 0) this.bitmap.add(port);
  }

  /** Records that one address fewer holds `port`. */
  delete(port: number): void {
    const count = this.#counts[port]!;
    if (count === 0) return;
    this.#counts[port] = count - 1;
    if (count === 1) this.bitmap.delete(port);
  }

  /** Forgets every holder. */
  clear(): void {
    this.#counts.fill(0);
    this.bitmap.clear();
  }
}
