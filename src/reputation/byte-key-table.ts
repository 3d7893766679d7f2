import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';

/** Bytes of every key: agent ids, receipt ids and payment hashes are all 32 bytes. */
const KEY_BYTES = 32;
/** A key as 32-bit words: read, copied and compared four bytes at a time. */
export const KEY_WORDS = 8;

/**
 * Numbers 32-byte keys densely without turning them into strings: the keys are packed in one array and found through
 * an open-addressing table of their numbers. Reading a million receipts then costs a few array reads per id instead
 * of a hex string and a Map entry each. Keys are read from records through a `DataView` and kept as 32-bit words
 * (each the little-endian reading of four of the key's bytes, so the packed words hold the key's bytes in order):
 * a key is copied or compared in eight reads, not thirty-two.
 *
 * Keys are numbered in order of first sight (0, 1, 2, ...) by `add`, or all at once in the order of their bytes by
 * `load` (a first read of a million ids: a sort, not a million probes).
 *
 * Why a secret seed: ids are chosen by whoever signs (an agent key, a receipt's content), so an attacker could grind
 * many whose plain prefix lands in one probe chain and make every lookup walk it. The slot is a mix of two words of
 * the key with a per-table random seed the attacker cannot know.
 */
export class ByteKeyTable {
  /** Key `n` is `words[n * 8 .. n * 8 + 8]`. */
  private words: Int32Array;
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
  /**
   * Where the loaded keys of each leading-bits prefix begin: those starting with prefix `b` (the key's first
   * `prefixBits` bits) are `directory[b] .. directory[b + 1] - 1`. A find bisects only there, a few neighbouring keys
   * instead of twenty probes across the whole array (a cache miss each). Keys ground to share a prefix only make
   * their own range longer: it is still bisected.
   */
  private directory = new Int32Array(2);
  private prefixBits = 0;
  private readonly seed: number;

  constructor(capacity = 1024) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.words = new Int32Array(Math.max(16, capacity) * KEY_WORDS);
    this.seed = randomBytes(4).readUInt32LE(0);
  }

  /** How many keys are numbered. */
  get size(): number {
    return this.count;
  }

  /** The number of the key at `view`'s bytes `offset .. offset + 32`, or -1 if it has none. */
  find(view: DataView, offset: number): number {
    const mask = this.slots.length - 1;
    const hash = this.slotOf(view, offset) | 0;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return this.findSorted(view, offset);
      if (this.hashes[slot] === hash && this.equals(entry - 1, view, offset)) return entry - 1;
    }
  }

  /**
   * Numbers `count` keys packed in `keys` (key `i` at words `i * 8 ..`, as `readKey` packs them) at once, in the
   * order of their bytes: the smallest key is 0, and equal keys share a number. Returns each key's number. Only on
   * an empty table. `keys` serves as scratch space: its content is lost.
   */
  load(keys: Int32Array, count: number): Int32Array {
    if (this.count !== 0) throw new RangeError('only an empty table loads keys at once');
    const sorted = sortKeys(keys, count);
    const numbers = new Int32Array(count);
    const unique = keepEach(sorted, count, numbers);
    this.words = sorted.words;
    this.count = unique;
    this.sortedCount = unique;
    this.index();
    return numbers;
  }

  /** Makes room for `count` keys in all, so that adding up to that many never regrows. */
  reserve(count: number): void {
    // Loaded keys take no slot.
    while ((count - this.sortedCount) * 2 > this.slots.length) this.grow();
    if (count * KEY_WORDS > this.words.length) {
      // At least doubled: a ledger followed by small refreshes must not copy every key at each one.
      const words = new Int32Array(Math.max(count * KEY_WORDS, this.words.length * 2));
      words.set(this.words);
      this.words = words;
    }
  }

  /** The number of the key at `view`'s bytes `offset .. offset + 32`, numbering it next if new. */
  add(view: DataView, offset: number): number {
    if ((this.count - this.sortedCount + 1) * 2 > this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    const hash = this.slotOf(view, offset) | 0;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) break;
      if (this.hashes[slot] === hash && this.equals(entry - 1, view, offset)) return entry - 1;
    }
    const sorted = this.findSorted(view, offset);
    if (sorted !== -1) return sorted;
    const number = this.count++;
    if ((number + 1) * KEY_WORDS > this.words.length) {
      const words = new Int32Array(this.words.length * 2);
      words.set(this.words);
      this.words = words;
    }
    readKey(view, offset, this.words, number * KEY_WORDS);
    this.slots[slot] = number + 1;
    this.hashes[slot] = hash;
    return number;
  }

  /** The packed keys: key `n` spans bytes `n * 32 .. n * 32 + 32` (a view, valid until the next `add`). */
  get bytes(): Uint8Array {
    return new Uint8Array(this.words.buffer, this.words.byteOffset, this.count * KEY_BYTES);
  }

  /** Key `n` as lower-case hex (Node's native encoder: a million ids take a fraction of a second). */
  hex(n: number): string {
    return Buffer.from(this.words.buffer, this.words.byteOffset + n * KEY_BYTES, KEY_BYTES).toString('hex');
  }

  /** Compares key `a` with key `b` byte by byte: negative, zero or positive as `a` sorts before, with or after `b`. */
  compare(a: number, b: number): number {
    return compareWords(this.words, a * KEY_WORDS, this.words, b * KEY_WORDS);
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
    const words = this.words;
    const packed = new Float64Array(numbers.length);
    for (let i = 0; i < numbers.length; i++) {
      const n = numbers[i] as number;
      packed[i] = (bigEndian(words[n * KEY_WORDS] as number) >>> 3) * 2 ** 24 + n;
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

  /** Builds `directory` over the loaded keys: about eight keys per prefix, at most 2^20 prefixes. */
  private index(): void {
    const count = this.sortedCount;
    const bits = Math.min(20, Math.max(0, Math.ceil(Math.log2(count + 1)) - 3));
    const directory = new Int32Array(2 ** bits + 1);
    this.prefixBits = bits;
    let prefix = 0;
    for (let n = 0; n < count; n++) {
      const own = this.prefixOf(this.words[n * KEY_WORDS] as number);
      while (prefix <= own) directory[prefix++] = n;
    }
    while (prefix < directory.length) directory[prefix++] = count;
    this.directory = directory;
  }

  /** The directory's prefix of a key whose first word (as packed) is `first`. */
  private prefixOf(first: number): number {
    // A shift by 32 would leave the word whole: no bits, one prefix.
    return this.prefixBits === 0 ? 0 : bigEndian(first) >>> (32 - this.prefixBits);
  }

  /** The loaded key equal to the one at `offset`, by bisection among those of its prefix, or -1. */
  private findSorted(view: DataView, offset: number): number {
    const prefix = this.prefixOf(view.getInt32(offset, true));
    let low = this.directory[prefix] as number;
    let high = this.directory[prefix + 1] as number;
    const words = this.words;
    while (low < high) {
      const middle = (low + high) >>> 1;
      let order = 0;
      for (let w = 0, at = middle * KEY_WORDS; w < KEY_WORDS && order === 0; w++) {
        const a = words[at + w] as number;
        const b = view.getInt32(offset + w * 4, true);
        if (a !== b) order = bigEndian(a) - bigEndian(b);
      }
      if (order === 0) return middle;
      if (order < 0) low = middle + 1;
      else high = middle;
    }
    return -1;
  }

  private slotOf(view: DataView, offset: number): number {
    const a = view.getInt32(offset, true) ^ this.seed;
    const b = view.getInt32(offset + 4, true);
    let h = Math.imul(a ^ (b >>> 15), 0x9e3779b1);
    h ^= Math.imul(b ^ (h >>> 13), 0x85ebca6b);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private equals(number: number, view: DataView, offset: number): boolean {
    const words = this.words;
    for (let w = 0, at = number * KEY_WORDS; w < KEY_WORDS; w++)
      if (words[at + w] !== view.getInt32(offset + w * 4, true)) return false;
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

/** A `DataView` over `bytes` (records are read through one: four bytes per read, at any alignment). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Copies the 32-byte key at `view`'s `offset` into `words` at `at`, as eight words (see `ByteKeyTable`). */
export function readKey(view: DataView, offset: number, words: Int32Array, at: number): void {
  for (let w = 0; w < KEY_WORDS; w++) words[at + w] = view.getInt32(offset + w * 4, true);
}

/** The word `w` (four key bytes read little-endian) as the unsigned big-endian number of the same bytes. */
function bigEndian(w: number): number {
  return (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0;
}

/** Compares the key at words `a[x ..]` with the one at `b[y ..]` in byte order: negative, zero or positive. */
export function compareWords(a: Int32Array, x: number, b: Int32Array, y: number): number {
  for (let w = 0; w < KEY_WORDS; w++) {
    const p = a[x + w] as number;
    const q = b[y + w] as number;
    if (p !== q) return bigEndian(p) - bigEndian(q);
  }
  return 0;
}

/**
 * Sorted keys (equal ones side by side) each kept once, moved down in place in one sequential pass; each key's number
 * set at its position in `numbers`. Returns how many are kept.
 */
function keepEach({ prefix, index, words }: Sorting, count: number, numbers: Int32Array): number {
  let unique = 0;
  for (let k = 0; k < count; k++) {
    const at = k * KEY_WORDS;
    if (k === 0 || prefix[k] !== prefix[k - 1] || !sameWords(words, at, words, (unique - 1) * KEY_WORDS)) {
      if (unique !== k) words.copyWithin(unique * KEY_WORDS, at, at + KEY_WORDS);
      unique++;
    }
    numbers[index[k] as number] = unique - 1;
  }
  return unique;
}

function sameWords(a: Int32Array, x: number, b: Int32Array, y: number): boolean {
  for (let w = 0; w < KEY_WORDS; w++) if (a[x + w] !== b[y + w]) return false;
  return true;
}

/**
 * `count` packed keys sorted by their bytes, moved whole (not a permutation to gather them by later: a million
 * 32-byte reads at random cost far more than moving them in sequence): the sorted keys (with room for an eighth
 * more), each one's position in `keys`, and their first four bytes. A radix pass on the top 11 bits of those four
 * bytes deals the keys into 2,048 buckets (one pass over memory); each bucket, a few dozen kilobytes, is then sorted
 * in cache on the 21 bits left (a native sort of packed numbers); last, each run sharing all four bytes (an id and
 * the ratings naming it, or a rare collision) is put right by comparing whole keys. Ids are hashes, so runs are
 * short; a run ground to be long is sorted, not walked quadratically.
 *
 * Each loop is its own function: one function of several long loops is optimized for the first and thrown back to
 * the interpreter at each next one (no type feedback there yet), which costs more than the loops.
 */
function sortKeys(
  keys: Int32Array,
  count: number,
): { words: Int32Array; index: Int32Array; prefix: Int32Array } {
  const from = { prefix: new Int32Array(count), index: new Int32Array(count), words: keys };
  prefixesOf(keys, count, from.prefix, from.index);
  const to = {
    prefix: new Int32Array(count),
    index: new Int32Array(count),
    words: new Int32Array((count + (count >>> 3) + 1024) * KEY_WORDS),
  };
  const counts = new Int32Array(2048);
  radixPass(from, to, count, counts, 21, 0x7ff);
  // `counts` now holds each bucket's end; `from` (the input included) is free: the buckets' scratch space.
  let largest = 0;
  for (let b = 0, start = 0; b < 2048; b++) {
    largest = Math.max(largest, (counts[b] as number) - start);
    start = counts[b] as number;
  }
  const packed = new Float64Array(Math.min(largest, BUCKET_LIMIT));
  for (let b = 0, start = 0; b < 2048; b++) {
    const end = counts[b] as number;
    if (end - start > 1) sortBucket(to, from, start, end, packed);
    start = end;
  }
  sortRuns(to, count);
  return to;
}

/** Buckets up to this size are sorted on packed numbers (21 prefix bits above a 24-bit position: exact in a double). */
const BUCKET_LIMIT = 2 ** 24;

/** Sorts `sorting`'s keys `start .. end - 1` (one top-bits bucket) by their prefix, equal prefixes by position. */
function sortBucket(
  sorting: Sorting,
  scratch: Sorting,
  start: number,
  end: number,
  packed: Float64Array,
): void {
  const length = end - start;
  const { prefix, index, words } = sorting;
  let order: ArrayLike<number>;
  if (length <= BUCKET_LIMIT) {
    const keys = packed.subarray(0, length);
    packBucket(prefix, start, length, keys);
    keys.sort();
    // Each packed number's low 24 bits: its position in the bucket.
    unpackPositions(keys);
    order = keys;
  } else {
    // A bucket of more than 16 million keys (ids ground to share 11 bits): the same order, by comparisons.
    order = Array.from({ length }, (_, k) => k).sort(
      (k, l) => ((prefix[start + k] as number) >>> 0) - ((prefix[start + l] as number) >>> 0) || k - l,
    );
  }
  moveBucket(sorting, scratch, start, length, order);
  prefix.set(scratch.prefix.subarray(start, end), start);
  index.set(scratch.index.subarray(start, end), start);
  words.set(scratch.words.subarray(start * KEY_WORDS, end * KEY_WORDS), start * KEY_WORDS);
}

function unpackPositions(packed: Float64Array): void {
  for (let k = 0; k < packed.length; k++) packed[k] = (packed[k] as number) % BUCKET_LIMIT;
}

function packBucket(prefix: Int32Array, start: number, length: number, packed: Float64Array): void {
  for (let k = 0; k < length; k++) packed[k] = ((prefix[start + k] as number) & 0x1fffff) * BUCKET_LIMIT + k;
}

/** Puts `sorting`'s bucket at `start` into `scratch` in `order` (positions in the bucket). */
function moveBucket(
  sorting: Sorting,
  scratch: Sorting,
  start: number,
  length: number,
  order: ArrayLike<number>,
): void {
  const { prefix, index, words } = sorting;
  for (let k = 0; k < length; k++) {
    const from = start + (order[k] as number);
    const to = start + k;
    scratch.prefix[to] = prefix[from] as number;
    scratch.index[to] = index[from] as number;
    const x = from * KEY_WORDS;
    const y = to * KEY_WORDS;
    for (let w = 0; w < KEY_WORDS; w++) scratch.words[y + w] = words[x + w] as number;
  }
}

interface Sorting {
  readonly prefix: Int32Array;
  readonly index: Int32Array;
  readonly words: Int32Array;
}

/** Each key's first four bytes as a big-endian number (its bits, held signed: compared only for equality). */
function prefixesOf(keys: Int32Array, count: number, prefix: Int32Array, index: Int32Array): void {
  for (let i = 0; i < count; i++) {
    prefix[i] = bigEndian(keys[i * KEY_WORDS] as number) | 0;
    index[i] = i;
  }
}

/** One stable counting pass on the prefix's bits `shift ..` (`mask`): `from` into `to`, keys moved whole. */
function radixPass(
  from: Sorting,
  to: Sorting,
  count: number,
  counts: Int32Array,
  shift: number,
  mask: number,
): void {
  counts.fill(0);
  countDigits(from.prefix, count, counts, shift, mask);
  for (let d = 0, at = 0; d <= mask; d++) {
    const c = counts[d] as number;
    counts[d] = at;
    at += c;
  }
  scatter(from, to, count, counts, shift, mask);
}

function countDigits(
  prefix: Int32Array,
  count: number,
  counts: Int32Array,
  shift: number,
  mask: number,
): void {
  for (let k = 0; k < count; k++) {
    const d = ((prefix[k] as number) >>> shift) & mask;
    counts[d] = (counts[d] as number) + 1;
  }
}

function scatter(
  from: Sorting,
  to: Sorting,
  count: number,
  starts: Int32Array,
  shift: number,
  mask: number,
): void {
  const { prefix, index, words } = from;
  const { prefix: nextPrefix, index: nextIndex, words: nextWords } = to;
  for (let k = 0; k < count; k++) {
    const p = prefix[k] as number;
    const d = (p >>> shift) & mask;
    const at = starts[d] as number;
    starts[d] = at + 1;
    nextPrefix[at] = p;
    nextIndex[at] = index[k] as number;
    const x = k * KEY_WORDS;
    const y = at * KEY_WORDS;
    nextWords[y] = words[x] as number;
    nextWords[y + 1] = words[x + 1] as number;
    nextWords[y + 2] = words[x + 2] as number;
    nextWords[y + 3] = words[x + 3] as number;
    nextWords[y + 4] = words[x + 4] as number;
    nextWords[y + 5] = words[x + 5] as number;
    nextWords[y + 6] = words[x + 6] as number;
    nextWords[y + 7] = words[x + 7] as number;
  }
}

/**
 * Runs sharing a prefix sorted by whole key (equal keys by position), `words` and `index` moved alike. Most runs are
 * two keys already in order (an id and a rating naming it): checked here, sorted only when out of order.
 */
function sortRuns({ prefix, index, words }: Sorting, count: number): void {
  for (let start = 0; start < count; ) {
    let end = start + 1;
    let ordered = true;
    while (end < count && prefix[end] === prefix[start]) {
      if (ordered) {
        const c = compareWords(words, (end - 1) * KEY_WORDS, words, end * KEY_WORDS);
        ordered = c < 0 || (c === 0 && (index[end - 1] as number) < (index[end] as number));
      }
      end++;
    }
    if (!ordered) sortRun(words, index, start, end);
    start = end;
  }
}

/** Sorts keys `start .. end - 1` of `words` (and their positions in `index`) by key, equal keys by position. */
function sortRun(words: Int32Array, index: Int32Array, start: number, end: number): void {
  const compare = (k: number, l: number) =>
    compareWords(words, k * KEY_WORDS, words, l * KEY_WORDS) || (index[k] as number) - (index[l] as number);
  const order = Array.from({ length: end - start }, (_, k) => start + k).sort(compare);
  const runWords = words.slice(start * KEY_WORDS, end * KEY_WORDS);
  const runIndex = index.slice(start, end);
  order.forEach((from, k) => {
    words.set(
      runWords.subarray((from - start) * KEY_WORDS, (from - start + 1) * KEY_WORDS),
      (start + k) * KEY_WORDS,
    );
    index[start + k] = runIndex[from - start] as number;
  });
}
