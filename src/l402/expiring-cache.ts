/**
 * A map whose entries end at a time given when each is set, and at most `limit` entries (the oldest set first
 * dropped). Entries past their end are never returned and are dropped as later ones are set, so a provider serving
 * for days holds what is still live, not everything it ever served. Times are the caller's clock's, in ms.
 */
export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly until: number }>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value set for `key`, unless its end (`until`) is before `now`. */
  get(key: K, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until < now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /**
   * Sets `key` until `until` (set again, it moves to the newest end), then drops entries from the oldest end while
   * they have ended before `now`: with one lifetime for all entries, that is every ended entry.
   */
  set(key: K, value: V, until: number, now: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { value, until });
    for (const [oldest, entry] of this.entries) {
      if (entry.until >= now) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Every live entry's key and value, oldest set first. */
  *live(now: number): Generator<[K, V]> {
    for (const [key, entry] of this.entries) if (entry.until >= now) yield [key, entry.value];
  }
}
