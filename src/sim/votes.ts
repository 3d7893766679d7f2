import { ManualClock } from '../core/index.js';
import { castVote, createProposal, draftProposal, type ProposalTerms } from '../governance/index.js';
import { zkIdentity } from '../identity/index.js';
import type { LedgerEvent } from '../ledger/index.js';
import type { Prover } from '../zk/index.js';
import type { Actor, Proposal, ProviderActor, SimulationState, StakeState } from './state.js';

/** The weight modes the run votes with, one proposal each, in this order. */
export const WEIGHT_MODES = ['reputation', 'stake'] as const;

/** Share of all weight that must take part, in basis points. */
const QUORUM_BP = 2_000;
/** Share of the votes cast for an option that carries it, in basis points. */
const THRESHOLD_BP = 5_000;
/** Votes are cast this long after voting opens, in seconds. */
const CAST_AFTER_OPEN_SECONDS = 60;

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
  const { ledger, clock } = state;
  const founder = state.cast.honest[0] as Actor;
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
  const { body, sources, snapshot, tree } = await draftProposal(ledger, terms, {
    proposer: founder.key,
    clock,
  });
  const event = createProposal(founder.key, body, { clock });
  await ledger.appendBatch(sources);
  const { id } = await ledger.append(event);
  const members = new Map(snapshot.members.map((m, i) => [m.agent, { weight: m.weight, index: i }]));
  return { id, event, title: terms.title, weightMode, members, tree };
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

/**
 * The vote phase of one proposal: each voter proves its membership and weight anonymously (a real Groth16 proof)
 * and casts its choice; the votes are stored together. Returns how many were cast.
 */
export async function castVotes(
  state: SimulationState,
  prover: Prover,
  proposal: Proposal,
  target: ProviderActor,
  stakes: StakeState,
  onProgress: (phase: string, done: number, total: number) => void,
): Promise<number> {
  const voters = votersOf(state, proposal);
  const votes: LedgerEvent[] = [];
  const clock = new ManualClock((stakes.opens + CAST_AFTER_OPEN_SECONDS) * 1000);
  for (const [i, voter] of voters.entries()) {
    const member = proposal.members.get(voter.key.id) as { weight: bigint; index: number };
    votes.push(
      await castVote(prover, {
        proposal: { id: proposal.id, event: proposal.event },
        ballot: { choice: choiceOf(state, target, voter) },
        secret: (await zkIdentity(voter.key)).secret,
        weight: member.weight,
        path: proposal.tree.path(member.index),
        clock,
      }),
    );
    onProgress(`votes (${proposal.weightMode})`, i + 1, voters.length);
  }
  await state.ledger.appendBatch(votes);
  return votes.length;
}
