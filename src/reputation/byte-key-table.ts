import { randomBytes } from 'node:crypto';

/** Bytes of every key: agent ids, receipt ids and payment hashes are all 32 bytes. */
const KEY_BYTES = 32;

/**
 * Numbers 32-byte keys densely (0, 1, 2, ... in order of first sight) without turning them into strings: the keys are
 * packed in one byte array and found through an open-addressing table of their numbers. Reading a million receipts
 * then costs a few array reads per id instead of a hex string and a Map entry each.
 *
 * Why a secret seed: ids are chosen by whoever signs (an agent key, a receipt's content), so an attacker could grind
 * many whose plain prefix lands in one probe chain and make every lookup walk it. The slot is a mix of two words of
 * the key with a per-table random seed the attacker cannot know.
 */
export class ByteKeyTable {
  private keys: Uint8Array;
  /** Key number + 1 per slot (0: empty); its length is a power of two, kept at most half full. */
  private slots: Int32Array;
  /**
   * Each slot's key hash: a probe compares it before reading the key (a key that is not there costs one cache miss,
   * not one per slot probed), and growing rehashes from it without reading a key.
   */
  private hashes: Int32Array;
  private count = 0;
  /**
   * Keys `0 .. sortedCount - 1` came from `load`: sorted by their bytes, each once, found by bisection and never put
   * in the slots (filling a million slots costs a cache miss each; bisecting costs twenty, but only on the few finds
   * a follower makes after its first read).
   */
  private sortedCount = 0;
  private readonly seed: number;

  constructor(capacity = 1024) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.keys = new Uint8Array(Math.max(16, capacity) * KEY_BYTES);
    this.seed = randomBytes(4).readUInt32LE(0);
  }

  /** How many keys are numbered. */
  get size(): number {
    return this.count;
  }

  /** The number of the key at `bytes[offset .. offset + 32]`, or -1 if it has none. */
  find(bytes: Uint8Array, offset: number): number {
    const mask = this.slots.length - 1;
    const hash = this.slotOf(bytes, offset) | 0;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return this.findSorted(bytes, offset);
      if (this.hashes[slot] === hash && this.equals(entry - 1, bytes, offset)) return entry - 1;
    }
  }

  /**
   * Numbers `count` keys packed in `keys` (key `i` at `i * 32`) at once, in the order of their bytes: the smallest
   * key is 0, and equal keys share a number. Returns each key's number. Only on an empty table: a first read of a
   * million ids is then a sort, not a million probes.
   */
  load(keys: Uint8Array, count: number): Int32Array {
    if (this.count !== 0) throw new RangeError('only an empty table loads keys at once');
    const { order, prefix } = sortedOrder(keys, count);
    const numbers = new Int32Array(count);
    let unique = 0;
    for (let k = 0; k < count; k++) {
      const i = order[k] as number;
      if (k === 0 || prefix[k] !== prefix[k - 1] || compareAt(keys, i, keys, order[k - 1] as number) !== 0)
        unique++;
      numbers[i] = unique - 1;
    }
    // Room for an eighth more: the keys a follower adds later do not copy them all at its first refresh.
    if (unique * KEY_BYTES > this.keys.length)
      this.keys = new Uint8Array((unique + (unique >>> 3) + 1024) * KEY_BYTES);
    const packed = this.keys;
    for (let k = 0, n = -1; k < count; k++) {
      const i = order[k] as number;
      if (numbers[i] === n) continue;
      n = numbers[i] as number;
      for (let b = 0, from = i * KEY_BYTES, to = n * KEY_BYTES; b < KEY_BYTES; b++)
        packed[to + b] = keys[from + b] as number;
    }
    this.count = unique;
    this.sortedCount = unique;
    return numbers;
  }

  /** Makes room for `count` keys in all, so that adding up to that many never regrows. */
  reserve(count: number): void {
    // Loaded keys take no slot.
    while ((count - this.sortedCount) * 2 > this.slots.length) this.grow();
    if (count * KEY_BYTES > this.keys.length) {
      // At least doubled: a ledger followed by small refreshes must not copy every key at each one.
      const keys = new Uint8Array(Math.max(count * KEY_BYTES, this.keys.length * 2));
      keys.set(this.keys);
      this.keys = keys;
    }
  }

  /** The number of the key at `bytes[offset .. offset + 32]`, numbering it next if new. */
  add(bytes: Uint8Array, offset: number): number {
    if ((this.count - this.sortedCount + 1) * 2 > this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    const hash = this.slotOf(bytes, offset) | 0;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) break;
      if (this.hashes[slot] === hash && this.equals(entry - 1, bytes, offset)) return entry - 1;
    }
    const sorted = this.findSorted(bytes, offset);
    if (sorted !== -1) return sorted;
    const number = this.count++;
    if (number * KEY_BYTES + KEY_BYTES > this.keys.length) {
      const keys = new Uint8Array(this.keys.length * 2);
      keys.set(this.keys);
      this.keys = keys;
    }
    // Byte by byte: a subarray view per key costs more than the copy over a million keys.
    const keys = this.keys;
    for (let i = 0, o = number * KEY_BYTES; i < KEY_BYTES; i++) keys[o + i] = bytes[offset + i] as number;
    this.slots[slot] = number + 1;
    this.hashes[slot] = hash;
    return number;
  }

  /** The packed keys: key `n` spans `n * 32 .. n * 32 + 32` (a view, valid until the next `add`). */
  get bytes(): Uint8Array {
    return this.keys;
  }

  /** Compares key `a` with key `b` byte by byte: negative, zero or positive as `a` sorts before, with or after `b`. */
  compare(a: number, b: number): number {
    const keys = this.keys;
    for (let i = 0, x = a * KEY_BYTES, y = b * KEY_BYTES; i < KEY_BYTES; i++, x++, y++)
      if (keys[x] !== keys[y]) return (keys[x] as number) - (keys[y] as number);
    return 0;
  }

  /** Key numbers `numbers` sorted in place by their keys' bytes (the order of their lower-case hex strings). */
  sort(numbers: Int32Array): Int32Array {
    // Loaded keys are numbered in their order: numbers below `sortedCount` sort as numbers.
    let loaded = true;
    for (let i = 0; i < numbers.length && loaded; i++) loaded = (numbers[i] as number) < this.sortedCount;
    if (loaded) return numbers.sort();
    // Sorted natively on the keys' first 29 bits with the number in the 24 bits below (exact in a double), then
    // runs of equal prefixes (rare) put right by comparing whole keys.
    if (this.count > 2 ** 24) return numbers.sort((a, b) => this.compare(a, b) || a - b);
    const keys = this.keys;
    const packed = new Float64Array(numbers.length);
    for (let i = 0; i < numbers.length; i++) {
      const n = numbers[i] as number;
      const o = n * KEY_BYTES;
      const prefix =
        (((keys[o] as number) << 21) | ((keys[o + 1] as number) << 13) | ((keys[o + 2] as number) << 5)) +
        ((keys[o + 3] as number) >>> 3);
      packed[i] = prefix * 2 ** 24 + n;
    }
    packed.sort();
    for (let i = 0; i < numbers.length; i++) numbers[i] = (packed[i] as number) % 2 ** 24;
    for (let start = 0; start < numbers.length; ) {
      let end = start + 1;
      const prefix = Math.floor((packed[start] as number) / 2 ** 24);
      while (end < numbers.length && Math.floor((packed[end] as number) / 2 ** 24) === prefix) end++;
      if (end - start > 1) numbers.subarray(start, end).sort((a, b) => this.compare(a, b));
      start = end;
    }
    return numbers;
  }

  /** The loaded key equal to the one at `offset`, by bisection, or -1. */
  private findSorted(bytes: Uint8Array, offset: number): number {
    let low = 0;
    let high = this.sortedCount;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = compareKeys(this.keys, middle * KEY_BYTES, bytes, offset);
      if (order === 0) return middle;
      if (order < 0) low = middle + 1;
      else high = middle;
    }
    return -1;
  }

  private slotOf(bytes: Uint8Array, offset: number): number {
    const a =
      ((bytes[offset] as number) |
        ((bytes[offset + 1] as number) << 8) |
        ((bytes[offset + 2] as number) << 16) |
        ((bytes[offset + 3] as number) << 24)) ^
      this.seed;
    const b =
      (bytes[offset + 4] as number) |
      ((bytes[offset + 5] as number) << 8) |
      ((bytes[offset + 6] as number) << 16) |
      ((bytes[offset + 7] as number) << 24);
    let h = Math.imul(a ^ (b >>> 15), 0x9e3779b1);
    h ^= Math.imul(b ^ (h >>> 13), 0x85ebca6b);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private equals(number: number, bytes: Uint8Array, offset: number): boolean {
    const keys = this.keys;
    for (let i = 0, o = number * KEY_BYTES; i < KEY_BYTES; i++)
      if (keys[o + i] !== bytes[offset + i]) return false;
    return true;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const hashes = new Int32Array(slots.length);
    const mask = slots.length - 1;
    // Old slots in order, each key to its place by its kept hash: no key is read.
    for (let old = 0; old < this.slots.length; old++) {
      const entry = this.slots[old] as number;
      if (entry === 0) continue;
      const hash = this.hashes[old] as number;
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry;
      hashes[slot] = hash;
    }
    this.slots = slots;
    this.hashes = hashes;
  }
}

/** Compares the 32 bytes at `a[x ..]` with those at `b[y ..]`: negative, zero or positive. */
function compareKeys(a: Uint8Array, x: number, b: Uint8Array, y: number): number {
  for (let i = 0; i < KEY_BYTES; i++) {
    const d = (a[x + i] as number) - (b[y + i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Compares packed key `i` of `a` with packed key `j` of `b`. */
function compareAt(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  return compareKeys(a, i * KEY_BYTES, b, j * KEY_BYTES);
}

/** Radix digits of the 32-bit key prefix, low first: 11 + 11 + 10 bits (2,048 buckets, cache-sized counts). */
const DIGITS = [
  [0, 0x7ff],
  [11, 0x7ff],
  [22, 0x3ff],
] as const;

/**
 * The positions of `count` packed keys in the order of their bytes (equal keys in input order): a radix sort on the
 * first four bytes, then each run sharing them (an id and the ratings naming it, or a rare collision) put right by
 * comparing whole keys. Ids are hashes, so runs are short; a run ground to be long is sorted, not walked quadratically.
 */
function sortedOrder(keys: Uint8Array, count: number): { order: Int32Array; prefix: Uint32Array } {
  let prefix = new Uint32Array(count);
  for (let i = 0, o = 0; i < count; i++, o += KEY_BYTES)
    prefix[i] =
      (((keys[o] as number) << 24) |
        ((keys[o + 1] as number) << 16) |
        ((keys[o + 2] as number) << 8) |
        (keys[o + 3] as number)) >>>
      0;
  let order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let nextPrefix = new Uint32Array(count);
  let nextOrder = new Int32Array(count);
  const counts = new Int32Array(2048);
  for (const [shift, mask] of DIGITS) {
    counts.fill(0);
    for (let k = 0; k < count; k++) {
      const d = ((prefix[k] as number) >>> shift) & mask;
      counts[d] = (counts[d] as number) + 1;
    }
    for (let d = 0, at = 0; d <= mask; d++) {
      const c = counts[d] as number;
      counts[d] = at;
      at += c;
    }
    for (let k = 0; k < count; k++) {
      const p = prefix[k] as number;
      const d = (p >>> shift) & mask;
      const to = counts[d] as number;
      counts[d] = to + 1;
      nextPrefix[to] = p;
      nextOrder[to] = order[k] as number;
    }
    [prefix, nextPrefix] = [nextPrefix, prefix];
    [order, nextOrder] = [nextOrder, order];
  }
  for (let start = 0; start < count; ) {
    let end = start + 1;
    while (end < count && prefix[end] === prefix[start]) end++;
    if (end - start > 16) {
      order.subarray(start, end).sort((i, j) => compareAt(keys, i, keys, j) || i - j);
    } else {
      for (let k = start + 1; k < end; k++) {
        const i = order[k] as number;
        let at = k;
        for (; at > start; at--) {
          const j = order[at - 1] as number;
          const c = compareAt(keys, j, keys, i);
          if (c < 0 || (c === 0 && j < i)) break;
          order[at] = j;
        }
        order[at] = i;
      }
    }
    start = end;
  }
  return { order, prefix };
}
