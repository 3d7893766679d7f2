/**
 * A value made on first use and kept for every later one, unless making it failed: then the next use makes it again
 * rather than remembering the failure (a secret read from a store, a node key asked of a backend, a verifier loaded
 * from its artifacts). Callers waiting at the same time share one attempt.
 */
export class KeptUntilFailed<T> {
  private made: Promise<T> | undefined;

  constructor(private readonly make: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.made === undefined) {
      const made = this.make();
      made.catch(() => {
        if (this.made === made) this.made = undefined;
      });
      this.made = made;
    }
    return this.made;
  }
}
