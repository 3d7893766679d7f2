// What an observer of anonymous weighted votes computes beyond each piece's own anonymity set (issue 17 review): the
// client rule is public and deterministic, so a group of pieces known to come from one voter (linked by anything:
// their ballot, their times) is matched against each member's whole cast, not piece by piece. And the ledger the
// review's attacks on votes are played on.
import { MemoryLevel } from 'memory-level';
import { ManualClock } from '../../src/core/index.js';
import {
  anonymousPieces,
  type BallotOf,
  type CountingMethod,
  castPrivateVote,
  denominationCounts,
  type MemberWeight,
  type PieceRule,
  type ProposalBody,
  pieceWeight,
  proposalCreatedType,
  tallyProposal,
  voteCastType,
} from '../../src/governance/index.js';
import { EventRegistry, Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { SeededRandom } from '../../src/sim/index.js';
import type { Prover, Verifier } from '../../src/zk/index.js';
import { electorateTypes, stakedElectorate, type Voter } from '../fixtures/electorate.js';

/** A multiset of denominations as a comparable key. */
const keyOf = (denominations: readonly bigint[]): string =>
  [...denominations]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map(String)
    .join(',');

/** The denominations the client rule casts for a member of `weight` (what its pieces reveal, all together). */
export function castDenominations(
  weight: bigint,
  rule: PieceRule,
  counts: ReadonlyMap<bigint, number>,
  k: number,
): bigint[] {
  return anonymousPieces(weight, rule, counts, k).map(pieceWeight);
}

/**
 * The members who, following the client rule, cast exactly the pieces `denominations` (one voter's pieces, linked):
 * the anonymity set of every piece of that group once the observer has linked them.
 */
export function linkedCandidates(
  members: readonly MemberWeight[],
  rule: PieceRule,
  k: number,
  denominations: readonly bigint[],
): string[] {
  const counts = denominationCounts(members, rule);
  const wanted = keyOf(denominations);
  return members
    .filter((m) => keyOf(castDenominations(m.weight, rule, counts, k)) === wanted)
    .map((m) => m.agent);
}

/** For every member, in order: the size of its anonymity set once all its pieces are linked to each other. */
export function linkedSetSizes(members: readonly MemberWeight[], rule: PieceRule, k: number): number[] {
  const counts = denominationCounts(members, rule);
  const keys = members.map((m) => keyOf(castDenominations(m.weight, rule, counts, k)));
  const sizes = new Map<string, number>();
  for (const key of keys) sizes.set(key, (sizes.get(key) ?? 0) + 1);
  return keys.map((key) => sizes.get(key) as number);
}

/** Heavy-tailed weights like reputation scores (Pareto, shape 1.2, x_min 10^6), seeded. */
export function paretoMembers(n: number, seed: string): MemberWeight[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    agent: `m${i}`,
    weight: BigInt(Math.floor(1_000_000 / (1 - random.next()) ** (1 / 1.2))),
  }));
}

/**
 * A staked electorate, a proposal on it by its first voter (`terms` over the electorate's defaults), and a ledger
 * holding both, whose votes are checked by `verifier`; `vote` casts a member's pieces with the private default, dated
 * from `castAt` (not appended). The caller closes the ledger.
 */
export async function votingLedger(
  stakes: readonly bigint[],
  terms: Partial<ProposalBody>,
  options: { verifier: Verifier; created: number },
) {
  const { created } = options;
  const electorate = await stakedElectorate(stakes, created, created - 10);
  const event = electorate.propose(electorate.voters[0] as Voter, created, terms);
  const proposal = { id: parseEnvelope(event).id, event };
  const ledger = await Ledger.fromLevel(new MemoryLevel(), {
    registry: new EventRegistry([...electorateTypes, proposalCreatedType, voteCastType(options.verifier)]),
  });
  await ledger.appendBatch([...electorate.registrations, event]);
  const vote = async (
    prover: Prover,
    voter: Voter,
    ballot: BallotOf[CountingMethod],
    castAt: number,
    warn?: (message: string) => void,
    extra: { onePiece?: boolean } = {},
  ) =>
    castPrivateVote(prover, {
      proposal,
      // As `agora vote` does: the close the ledger's tally shows, later than the window's in a late-quorum extension.
      closes: (await tallyProposal(ledger, proposal.id)).closes,
      ballot,
      secret: voter.zk.secret,
      weight: voter.stake,
      path: electorate.path(voter),
      members: electorate.snapshot.members,
      clock: new ManualClock(castAt * 1000),
      ...(warn === undefined ? {} : { warn }),
      ...extra,
    });
  return { electorate, voters: electorate.voters as Voter[], proposal, ledger, vote };
}

/**
 * Nine equal stakes of 64 (one piece each, top 2^6, hidden among all nine) and a proposal open an hour from `created`
 * with a 600-second late-quorum extension: quorum (10 %) is one piece.
 */
export async function lateQuorumLedger(verifier: Verifier, created: number) {
  const closes = created + 3_600;
  const extension = 600;
  const voting = await votingLedger(
    Array(9).fill(64n),
    {
      window: { opens: created, closes },
      lateQuorumExtension: extension,
      minAnonymity: 8,
      pieces: { top: 6, floor: 6 },
    },
    { verifier, created },
  );
  return { ...voting, closes, extension };
}
