import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../core/index.js';

/**
 * A seeded stream of numbers (xoshiro128**): the simulator draws every choice from it, so a seed gives the same run.
 * Not for keys: those come from `seededBytes`.
 */
export class SeededRandom {
  private readonly s: Uint32Array;

  constructor(seed: string) {
    const bytes = sha256(utf8(`agora402/sim-random/${seed}`));
    this.s = new Uint32Array(bytes.buffer, bytes.byteOffset, 4).slice();
    if (this.s.every((word) => word === 0)) this.s[0] = 1;
  }

  /** A number in [0, 1). */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1] as number, 5), 7), 9) >>> 0;
    const t = (s[1] as number) << 9;
    s[2] = (s[2] as number) ^ (s[0] as number);
    s[3] = (s[3] as number) ^ (s[1] as number);
    s[1] = (s[1] as number) ^ (s[2] as number);
    s[0] = (s[0] as number) ^ (s[3] as number);
    s[2] = (s[2] as number) ^ t;
    s[3] = rotl(s[3] as number, 11);
    return result / 2 ** 32;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** 32 bytes derived from a seed and a label: the simulator's keys and secrets. */
export function seededBytes(seed: string, label: string): Uint8Array {
  return sha256(utf8(`agora402/sim/${seed}/${label}`));
}
