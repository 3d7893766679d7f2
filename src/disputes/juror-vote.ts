import { randomBytes } from 'node:crypto';
import { type Clock, type JsonObject, systemClock, toHex, unixSeconds } from '../core/index.js';
import { type AgentKey, objectId } from '../identity/index.js';
import type { LedgerEvent } from '../ledger/index.js';
import type { MembershipPath, PanelProver } from '../zk/index.js';
import {
  createDisputeRevealed,
  type DisputeVoteBody,
  type JurorChoice,
  jurorStatement,
  sealBallot,
} from './dispute-events.js';

/** What a drawn juror needs to vote. */
export interface JurorVoteInput {
  readonly dispute: string;
  readonly round: number;
  /** The round's panel tree root and the juror's path in it (from `readDispute`). */
  readonly panelRoot: bigint;
  readonly path: MembershipPath;
  /** The juror's ZK secret. */
  readonly secret: bigint;
  readonly choice: JurorChoice;
  /** A fresh key, used once: it reveals the vote and is paid its share; nothing links it to the juror. */
  readonly payoutKey: AgentKey;
  readonly clock?: Clock;
}

/** A sealed vote and what its juror keeps to reveal it after voting closes. */
export interface SealedJurorVote {
  readonly event: LedgerEvent;
  readonly id: string;
  readonly salt: string;
  readonly choice: JurorChoice;
  readonly payoutKey: AgentKey;
}

/**
 * Proves (with the panel circuit) and builds an anonymous `dispute.vote`: a seat on the round's panel, the sealed
 * ballot bound in the proof, one nullifier per dispute and round. The choice is revealed later with {@link revealJurorVote}.
 */
export async function castJurorVote(prover: PanelProver, input: JurorVoteInput): Promise<SealedJurorVote> {
  const salt = toHex(randomBytes(32));
  const draft: Omit<DisputeVoteBody, 'nullifier'> = {
    dispute: input.dispute,
    round: input.round,
    panelRoot: input.panelRoot.toString(),
    commitment: sealBallot(input.dispute, input.round, input.choice, salt, input.payoutKey.id),
  };
  const proved = await prover.prove(jurorStatement(draft), { secret: input.secret, path: input.path });
  const { pi_a, pi_b, pi_c } = proved.proof;
  const event: LedgerEvent = {
    v: 1,
    type: 'dispute.vote',
    created: unixSeconds(input.clock ?? systemClock),
    body: { ...draft, nullifier: proved.nullifier.toString() } as unknown as JsonObject,
    proof: { pi_a, pi_b, pi_c },
  };
  return {
    event,
    id: toHex(objectId(event as never)),
    salt,
    choice: input.choice,
    payoutKey: input.payoutKey,
  };
}

/** The `dispute.revealed` that opens a sealed vote, signed by its payout key; make it after voting closed. */
export function revealJurorVote(sealed: SealedJurorVote, options: { clock?: Clock } = {}): LedgerEvent {
  return createDisputeRevealed(
    sealed.payoutKey,
    { vote: sealed.id, choice: sealed.choice, salt: sealed.salt },
    options,
  );
}
