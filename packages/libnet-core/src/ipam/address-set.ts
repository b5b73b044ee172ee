/**
 * The taken addresses of one family of one network, and the cursor dynamic allocation
 * starts from.
 *
 * Like Docker's bitmap allocator, dynamic allocation is serial: it continues after the
 * last address it handed out and wraps around, so a just-released address is not given to
 * the next endpoint (stale ARP/neighbour entries and conntrack flows would point at it).
 * Only taken addresses are stored, so a /64 costs memory per endpoint, not per address.
 */

/** Who holds an address. */
export type Occupant =
  | { readonly kind: "gateway" }
  | { readonly kind: "aux"; readonly name: string }
  | { readonly kind: "endpoint" };

/** Taken addresses plus the dynamic-allocation cursor of one family of one network. */
export class AddressSet {
  private readonly taken = new Map<bigint, Occupant>();
  /** Taken addresses between `first` and `last`; lets `next` detect exhaustion without scanning. */
  private takenInRange = 0n;
  private endpointCount = 0n;
  private cursor: bigint;
  /** The address `next` returned last, until any release; lets `release` rewind exactly. */
  private lastIssued: bigint | null = null;

  /**
   * @param first first address dynamic allocation may return
   * @param last last one; `last < first` means no dynamic address at all
   */
  constructor(
    readonly first: bigint,
    readonly last: bigint,
  ) {
    this.cursor = first;
  }

  /** Who holds `value`, or undefined when it is free. */
  occupant(value: bigint): Occupant | undefined {
    return this.taken.get(value);
  }

  /** Number of endpoint addresses taken (gateway and aux excluded). */
  get endpoints(): bigint {
    return this.endpointCount;
  }

  /** Number of addresses `next` may still return. */
  get dynamicFree(): bigint {
    return this.last < this.first ? 0n : this.last - this.first + 1n - this.takenInRange;
  }

  /** Marks a free address as taken; the caller has checked that it is free. */
  take(value: bigint, occupant: Occupant): void {
    this.taken.set(value, occupant);
    if (this.inRange(value)) this.takenInRange++;
    if (occupant.kind === "endpoint") this.endpointCount++;
  }

  /**
   * Frees an endpoint address; false (and nothing changes) when it is not an endpoint's.
   * With `rewind`, when `value` is the address `next` returned last, the cursor moves back
   * onto it, so undoing an allocation leaves the set exactly as before it.
   */
  release(value: bigint, rewind = false): boolean {
    if (this.taken.get(value)?.kind !== "endpoint") return false;
    this.taken.delete(value);
    if (this.inRange(value)) this.takenInRange--;
    this.endpointCount--;
    if (rewind && this.lastIssued === value) this.cursor = value;
    this.lastIssued = null;
    return true;
  }

  /**
   * Takes the first free address at or after the cursor (wrapping around) for an
   * endpoint and moves the cursor past it; null when the range is full. Runs in
   * O(taken addresses) at worst, never O(range size).
   */
  next(): bigint | null {
    if (this.dynamicFree <= 0n) return null;
    let candidate = this.cursor;
    while (this.taken.has(candidate)) candidate = candidate === this.last ? this.first : candidate + 1n;
    this.take(candidate, { kind: "endpoint" });
    this.cursor = candidate === this.last ? this.first : candidate + 1n;
    this.lastIssued = candidate;
    return candidate;
  }

  /** Moves the cursor just after `value` (used on restore), if `value` is in the range. */
  continueAfter(value: bigint): void {
    if (this.inRange(value)) this.cursor = value === this.last ? this.first : value + 1n;
  }

  /** True when `value` lies between `first` and `last`, i.e. dynamic allocation could return it. */
  inRange(value: bigint): boolean {
    return value >= this.first && value <= this.last;
  }
}
