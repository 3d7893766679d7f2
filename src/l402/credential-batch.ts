import { KeptUntilFailed } from '../core/kept-until-failed.js';
import type { Verifier, VoteProof } from '../zk/index.js';

/** Most proofs verified in one multi-pairing: past this a batch is flushed at once. */
const DEFAULT_MAX_BATCH = 64;

interface Pending {
  readonly proof: VoteProof;
  readonly resolve: (valid: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Verifies credential proofs in batches under load: proofs that arrive while a batch is being verified, or within
 * the same turn of the event loop, wait for the next one and are checked together by {@link Verifier.verifyBatch}
 * (one multi-pairing, bad proofs named by bisection). A lone proof waits for nothing but the current turn. The
 * queue is bounded by `maxBatch` per flush, never by the number of callers: each caller waits on its own promise.
 */
export class CredentialBatcher {
  private queue: Pending[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly verifier: Verifier | (() => Promise<Verifier>),
    private readonly maxBatch = DEFAULT_MAX_BATCH,
  ) {}

  /** The verifier, loaded once; one that failed to load is loaded again by the next batch, not taken as failing for good. */
  private readonly loaded = new KeptUntilFailed(() =>
    typeof this.verifier === 'function' ? this.verifier() : Promise.resolve(this.verifier),
  );

  private load(): Promise<Verifier> {
    return this.loaded.get();
  }

  /** Whether `proof` holds; resolves once the batch it joined is verified. */
  verify(proof: VoteProof): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ proof, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      const verifier = await this.load();
      const results = await verifier.verifyBatch(batch.map((item) => item.proof));
      batch.forEach((item, i) => {
        item.resolve(results[i] === true);
      });
    } catch (error) {
      // A batch that fails as a whole (a thread lost on one proof, the verifier not loading) is retried one proof at a
      // time, so that one caller's failure is not every caller's: the others would each spend a check of their token.
      if (batch.length === 1) (batch[0] as Pending).reject(error);
      else
        await Promise.all(
          batch.map(async (item) => {
            try {
              const verifier = await this.load();
              item.resolve((await verifier.verifyBatch([item.proof]))[0] === true);
            } catch (alone) {
              item.reject(alone);
            }
          }),
        );
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
