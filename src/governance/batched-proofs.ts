import { AgoraError, ErrorCode } from '../core/index.js';
import type { EventTypeDefinition, LedgerEvent, VerifyContext } from '../ledger/index.js';
import { Verifier, type VoteProof } from '../zk/index.js';

/** Where an anonymous event type's proofs are checked: a verifier, or how to load one. */
export type VerifierSource = Verifier | (() => Promise<Verifier>);

/**
 * The `prepare` and `verify` of an event type whose authority is a Groth16 proof of the vote circuit (`vote.cast`,
 * `dispute.vote`). `proofOf` checks an event's body and references (throwing what `verify` should report) and gives
 * its proof with the public signals the event states. `prepare` verifies the proofs of an appended batch together
 * (one multi-pairing; bisection names the bad ones) and leaves a verdict per event for `verify`, which verifies alone
 * an event it finds none for (one whose references come later in the batch, or a batch of one). The verifier is
 * loaded on the first proof (default: the committed artifacts), so a registry costs nothing where none is appended.
 */
export function batchedProofChecks(
  type: string,
  proofOf: (event: LedgerEvent, context: VerifyContext) => Promise<VoteProof>,
  source: VerifierSource = () => Verifier.load(),
): Pick<EventTypeDefinition, 'prepare' | 'verify'> {
  let loading: Promise<Verifier> | undefined;
  const verifier = () => (loading ??= typeof source === 'function' ? source() : Promise.resolve(source));
  // Only events that passed `proofOf` get a verdict, so `verify` need not check them again.
  const verdicts = new WeakMap<LedgerEvent, boolean>();
  return {
    async prepare(events, context) {
      const checked: { event: LedgerEvent; proof: VoteProof }[] = [];
      for (const event of events) {
        try {
          checked.push({ event, proof: await proofOf(event, context) });
        } catch {
          // `verify` reports it.
        }
      }
      if (checked.length < 2) return;
      const results = await (await verifier()).verifyBatch(checked.map(({ proof }) => proof));
      checked.forEach(({ event }, i) => {
        verdicts.set(event, results[i] === true);
      });
    },
    async verify(event, context) {
      let verdict = verdicts.get(event);
      verdicts.delete(event);
      if (verdict === undefined) verdict = await (await verifier()).verify(await proofOf(event, context));
      if (!verdict)
        throw new AgoraError(ErrorCode.InvalidProof, `${type}: the proof does not hold for this vote`);
    },
  };
}
