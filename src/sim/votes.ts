import { ManualClock } from '../core/index.js';
import {
  castPrivateVote,
  createProposal,
  draftProposal,
  type PrivateVote,
  type ProposalTerms,
} from '../governance/index.js';
import { zkIdentity } from '../identity/index.js';
import type { LedgerEvent } from '../ledger/index.js';
import type { Prover } from '../zk/index.js';
import { SeededRandom } from './random.js';
import type { Actor, Proposal, ProviderActor, SimulationState, StakeState } from './state.js';

/** The weight modes the run votes with, one proposal each, in this order. */
export const WEIGHT_MODES = ['reputation', 'stake'] as const;

/** Share of all weight that must take part, in basis points. */
const QUORUM_BP = 2_000;
/** Share of the votes cast for an option that carries it, in basis points. */
const THRESHOLD_BP = 5_000;
/** Voters proving at once: two keep both of the prover's threads busy (more only queue in them). */
const VOTERS_IN_FLIGHT = 2;

/** Votes are cast this long after voting opens, in seconds. */
export const CAST_AFTER_OPEN_SECONDS = 60;

/** A voter's choice on blacklisting the target. */
export type Choice = 'for' | 'against' | 'abstain';

/**
 * How each participant votes: sybils and malicious providers defend their side; an honest agent votes for only if
 * the target served it garbage, and abstains otherwise; honest providers abstain.
 */
export function choiceOf(state: SimulationState, target: ProviderActor, voter: Actor): Choice {
  if (state.cast.isSybil.has(voter) || state.cast.malicious.includes(voter as ProviderActor))
    return 'against';
  return state.market.garbageFrom.get(voter)?.has(target.name) === true ? 'for' : 'abstain';
}

/**
 * The first founder proposes to blacklist `target` with votes weighted by `weightMode`: drafts the snapshot, stores
 * its checkpoint and the proposal.
 */
export async function propose(
  state: SimulationState,
  target: ProviderActor,
  weightMode: (typeof WEIGHT_MODES)[number],
  stakes: StakeState,
): Promise<Proposal> {
  const terms: ProposalTerms = {
    title: `Blacklist ${target.name}, the least trusted provider (${weightMode}-weighted vote)`,
    options: ['for', 'against', 'abstain'],
    counting: 'single',
    weightMode,
    quorum: QUORUM_BP,
    threshold: THRESHOLD_BP,
    window: { opens: stakes.opens, closes: stakes.closes },
    minWeight: '1',
    actions: [{ type: 'blacklist.add', agent: target.key.id }],
  };
  return proposeTerms(state, terms);
}

/** The first founder proposes `terms`: drafts the snapshot, stores its checkpoint and the proposal. */
export async function proposeTerms(state: SimulationState, terms: ProposalTerms): Promise<Proposal> {
  const { ledger, clock } = state;
  const founder = state.cast.honest[0] as Actor;
  const { body, sources, snapshot, tree } = await draftProposal(ledger, terms, {
    proposer: founder.key,
    clock,
  });
  const event = createProposal(founder.key, body, { clock });
  await ledger.appendBatch(sources);
  const { id } = await ledger.append(event);
  const members = new Map(snapshot.members.map((m, i) => [m.agent, { weight: m.weight, index: i }]));
  return {
    id,
    event,
    title: terms.title,
    weightMode: terms.weightMode as Proposal['weightMode'],
    members,
    tree,
    snapshotMembers: snapshot.members,
  };
}

/**
 * Who proves a vote: the members of the snapshot, those with the most weight first, at most `maxProvedVoters`
 * (proofs are costly; the rest abstain by not voting).
 */
export function votersOf(state: SimulationState, proposal: Proposal): Actor[] {
  const { cast, scenario } = state;
  const weight = (a: Actor) => proposal.members.get(a.key.id)?.weight ?? 0n;
  return [...cast.honest, ...cast.providers, ...cast.sybils]
    .filter((a) => proposal.members.has(a.key.id))
    .sort((a, b) => Number(weight(b) - weight(a)))
    .slice(0, scenario.maxProvedVoters);
}

/** What the voters of one proposal cast. */
export interface CastOutcome {
  /** Votes stored: one per piece. */
  readonly votes: number;
  /** Voters who proved their vote. */
  readonly voters: number;
  /** Pieces (proofs) each voter cast, in the order they voted. */
  readonly proofs: readonly number[];
  /** Snapshot weight the voters held together. */
  readonly weightVoted: bigint;
}

/**
 * The vote phase of one proposal: each voter splits its weight into anonymous pieces (the private client rule), each
 * a real Groth16 proof dated at its own seeded time in the window, and the pieces are stored together. With the
 * scenario's `exactWeights`, every piece is cast (the exact weight revealed) and `onWarning` is told once.
 */
export async function castVotes(
  state: SimulationState,
  prover: Prover,
  proposal: Proposal,
  plan: {
    readonly voters: readonly Actor[];
    readonly choice: (voter: Actor) => string;
    /** When the votes are made (unix seconds); each piece is published at its own time after. */
    readonly castAt: number;
  },
  hooks: {
    onProgress: (phase: string, done: number, total: number) => void;
    onWarning?: (message: string) => void;
  },
): Promise<CastOutcome> {
  const { voters } = plan;
  const votes: LedgerEvent[] = [];
  const proofs: number[] = [];
  // Each piece is dated at its own seeded random time in the window (the client's publication time).
  const times = new SeededRandom(`${state.scenario.seed}/vote-times/${proposal.weightMode}`);
  let weightVoted = 0n;
  let warned = false;
  const exact =
    state.scenario.exactWeights === true
      ? {
          exact: true,
          warn: (message: string) => {
            if (!warned) hooks.onWarning?.(message);
            warned = true;
          },
        }
      : {};
  // Secrets first: each voter's pieces and publication times are then drawn as its cast starts, in voter order.
  const secrets: bigint[] = [];
  for (const voter of voters) secrets.push((await zkIdentity(voter.key)).secret);
  const casts: PrivateVote[] = [];
  let next = 0;
  let done = 0;
  // A few voters prove at once: a proof keeps the prover's threads busy only in part (its witness is computed on
  // this thread, its QAP on one prover thread while the other waits), so the next voter's proofs fill the gaps.
  const proveNext = async (): Promise<void> => {
    while (next < voters.length) {
      const i = next++;
      const voter = voters[i] as Actor;
      const member = proposal.members.get(voter.key.id) as { weight: bigint; index: number };
      // Called at once, with no await before it: its random draws happen before the next voter's.
      casts[i] = await castPrivateVote(prover, {
        proposal: { id: proposal.id, event: proposal.event },
        ballot: { choice: plan.choice(voter) },
        secret: secrets[i] as bigint,
        weight: member.weight,
        path: proposal.tree.path(member.index),
        members: proposal.snapshotMembers,
        clock: new ManualClock(plan.castAt * 1000),
        random: () => times.next(),
        ...exact,
      });
      hooks.onProgress(`votes (${proposal.weightMode})`, ++done, voters.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(VOTERS_IN_FLIGHT, voters.length) }, proveNext));
  // Stored in voter order, as if cast one after another.
  for (const [i, voter] of voters.entries()) {
    const cast = casts[i] as PrivateVote;
    votes.push(...cast.pieces.map((piece) => piece.event));
    proofs.push(cast.pieces.length);
    weightVoted += (proposal.members.get(voter.key.id) as { weight: bigint }).weight;
  }
  await state.ledger.appendBatch(votes);
  return { votes: votes.length, voters: voters.length, proofs, weightVoted };
}
