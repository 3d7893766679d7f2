import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import {
  allPieces,
  castVote,
  createProposal,
  GovernedState,
  nullifierOf,
  type ProposalBody,
  pieceRuleOf,
  proposalCreatedType,
  proposalPieceRule,
  tallyProposal,
  voteCastType,
} from '../../src/governance/index.js';
import type { AgentKey } from '../../src/identity/index.js';
import { EventRegistry, Ledger, type LedgerEvent, parseEnvelope } from '../../src/ledger/index.js';
import { MembershipTree, type Prover, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { anchoredAt } from '../fixtures/decision-anchor.js';
import { type Electorate, electorateTypes, stakedElectorate, type Voter } from '../fixtures/electorate.js';
import { castWhole } from '../fixtures/pieces.js';
import { voteZk } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';

const NOW = 1_800_000_000;
const at = (seconds: number) => new ManualClock(seconds * 1000);

let prover: Prover;
let verifier: Verifier;
let electorate: Electorate;
let voters: Voter[];
let proposal: { id: string; event: LedgerEvent };

const registry = () => new EventRegistry([...electorateTypes, proposalCreatedType, voteCastType(verifier)]);

/**
 * Every piece of the voter's weight (the proposals here ask minAnonymity 1; the rule's floor still drops a's 32). The weights are few
 * pieces each (96 = 64 + 32, 128, 256, 320 = 256 + 64): one proof per piece, and proofs are what this file spends.
 */
async function vote(voter: Voter, choice: string, options: { when?: number; on?: typeof proposal } = {}) {
  return castWhole(prover, {
    proposal: options.on ?? proposal,
    ballot: { choice },
    secret: voter.zk.secret,
    weight: voter.stake,
    path: electorate.path(voter),
    clock: at(options.when ?? NOW + 100),
  });
}

beforeAll(async () => {
  ({ prover, verifier } = await voteZk());
  electorate = await stakedElectorate([96n, 128n, 256n, 320n], NOW, NOW - 10);
  voters = electorate.voters;
  const body: ProposalBody = {
    title: 'Raise the minimum reputation for the weather API',
    options: ['for', 'against', 'abstain'],
    counting: 'single',
    weightMode: 'stake',
    quorum: 5_000,
    threshold: 5_000,
    window: { opens: NOW, closes: NOW + 3_600 },
    minWeight: '1',
    minAnonymity: 1,
    pieces: proposalPieceRule(electorate.snapshot.members, 1),
    actions: [{ type: 'parameter.set', name: 'weather.min_reputation', value: 10 }],
    proposer: electorate.standing(voters[3] as Voter),
    snapshot: electorate.summary,
  };
  const event = createProposal(voters[3]?.key as AgentKey, body, { clock: at(NOW) });
  proposal = { id: parseEnvelope(event).id, event };
}, 60_000);

afterAll(() => releaseCurve());

describe('anonymous votes on a proposal', () => {
  it('are counted once per nullifier, refused when late, foreign, tampered or malformed, and agree across replicas', async () => {
    const [a, b, c] = voters as [Voter, Voter, Voter, Voter];
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
    const replica = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
    try {
      await ledger.appendBatch([...electorate.registrations, proposal.event]);
      const aVotes = await vote(a, 'for');
      const votes = [...aVotes, ...(await vote(b, 'against')), ...(await vote(c, 'for'))];
      // a votes again, for the other side (same pieces, same nullifiers): stored as evidence, the lowest id counts.
      const again = await vote(a, 'against');
      const results = await ledger.appendBatch([...votes, ...again]);
      const ids = results.map((r) => r.id);
      const aPieces = aVotes.length;
      const kept = aVotes.map((_, i) => {
        const [first, second] = [ids[i] as string, ids[votes.length + i] as string];
        return first < second
          ? { kept: first, other: second, choice: 'for' }
          : { kept: second, other: first, choice: 'against' };
      });
      // The piece rule is computed at k = 8 whatever the proposal's minAnonymity (capped here at the 4 members): a's
      // 32 is a bit no other member holds, below the floor, cast by `castWhole` and not counted.
      const { floor } = pieceRuleOf(proposal.event.body as unknown as ProposalBody);
      const countedWeight = (i: number) => {
        const weight = BigInt(((aVotes[i] as LedgerEvent).body as { votingWeight: string }).votingWeight);
        return weight >= 1n << BigInt(floor) ? weight : 0n;
      };
      const aFor = kept.reduce((sum, k, i) => sum + (k.choice === 'for' ? countedWeight(i) : 0n), 0n);
      const aCounted = aVotes.reduce((sum, _, i) => sum + countedWeight(i), 0n);
      expect(aCounted).toBe(64n);

      // The nullifiers a voter can compute alone are the ones its proofs carry, one per piece.
      const nullifiers = await Promise.all(
        allPieces(a.stake, pieceRuleOf(proposal.event.body as unknown as ProposalBody)).map(async (piece) =>
          (await nullifierOf(proposal.id, a.zk.secret, piece)).toString(),
        ),
      );
      expect(nullifiers).toEqual(aVotes.map((v) => (v.body as { nullifier: string }).nullifier));
      expect(new Set(nullifiers).size).toBe(aPieces);
      const result = await tallyProposal(ledger, proposal.id);
      expect(result.tally.totals).toEqual({ for: 256n + aFor, against: 128n + aCounted - aFor, abstain: 0n });
      expect(result.tally.participation).toBe(384n + aCounted);
      expect(result.doubleVotes).toEqual(
        aVotes
          .map((v, i) => ({
            nullifier: (v.body as { nullifier: string }).nullifier,
            kept: kept[i]?.kept,
            evidence: [kept[i]?.other],
          }))
          .sort((x, y) => (x.nullifier < y.nullifier ? -1 : 1)),
      );

      // Once the window has closed, the decision is carried out: the parameter is set.
      expect(
        (
          await GovernedState.fromLedger(ledger, NOW + 3_599, {
            anchors: anchoredAt(NOW + 3_599, proposal.id),
          })
        ).parameter('weather.min_reputation'),
      ).toBeUndefined();
      const decided = await GovernedState.fromLedger(ledger, NOW + 3_600, {
        anchors: anchoredAt(NOW + 3_600, proposal.id),
      });
      expect(decided.parameter('weather.min_reputation')).toBe(
        result.outcome.state === 'succeeded' ? 10 : undefined,
      );

      // Late: cast after the window closed.
      await rejectedAgoraError(
        ledger.append((await vote(c, 'against', { when: NOW + 3_600 }))[0] as LedgerEvent),
        ErrorCode.InvalidEvent,
      );
      // Foreign root: a valid proof of membership in another tree, presented for this proposal.
      const foreign = await MembershipTree.build([{ commitment: c.zk.commitment, weight: 10_000n }]);
      const foreignVote = await castVote(prover, {
        proposal: {
          id: proposal.id,
          event: {
            ...proposal.event,
            body: {
              ...(proposal.event.body as object),
              snapshot: { ...electorate.summary, root: foreign.root.toString(), total: '10000', members: 1 },
            },
          } as unknown as LedgerEvent,
        },
        ballot: { choice: 'against' },
        secret: c.zk.secret,
        weight: 10_000n,
        path: foreign.path(0),
        piece: { exponent: 4, index: 0n },
        clock: at(NOW + 100),
      });
      await rejectedAgoraError(ledger.append(foreignVote), ErrorCode.InvalidProof);
      // Tampered proof, tampered ballot, weight above the proof's, malformed body.
      const d = voters[3] as Voter;
      const dVotes = await vote(d, 'against');
      const honest = dVotes[0] as LedgerEvent;
      const tamperedProof = structuredClone(honest) as LedgerEvent & { proof: { pi_a: string[] } };
      tamperedProof.proof.pi_a[0] = String(BigInt(tamperedProof.proof.pi_a[0] as string) + 1n);
      await rejectedAgoraError(ledger.append(tamperedProof), ErrorCode.InvalidProof);
      for (const change of [{ ballot: { choice: 'for' } }, { votingWeight: '2' }] as Record<
        string,
        unknown
      >[]) {
        const tampered = { ...honest, body: { ...(honest.body as object), ...change } } as LedgerEvent;
        await rejectedAgoraError(ledger.append(tampered), ErrorCode.InvalidProof);
      }
      await rejectedAgoraError(
        ledger.append({ ...honest, body: { ...(honest.body as object), ballot: { choice: 'maybe' } } }),
        ErrorCode.InvalidEvent,
      );
      // Not a denomination at all: refused before any proof is checked.
      await rejectedAgoraError(
        ledger.append({ ...honest, body: { ...(honest.body as object), votingWeight: '401' } }),
        ErrorCode.InvalidEvent,
      );
      // In one batch (proofs verified together), one bad proof refuses the whole batch and nothing is stored.
      const before = ledger.stats().events;
      const refused = await rejectedAgoraError(
        ledger.appendBatch([honest, foreignVote]),
        ErrorCode.InvalidProof,
      );
      expect(refused.message).toMatch(/2 of 2|index 1|event 1/);
      expect(ledger.stats().events).toBe(before);
      expect((await tallyProposal(ledger, proposal.id)).tally.totals.against).toBe(128n + aCounted - aFor);

      // The honest vote lands; a replica fed the same events in reverse order reaches the same result.
      await ledger.appendBatch(dVotes);
      await replica.appendBatch([...electorate.registrations, proposal.event]);
      await replica.appendBatch([...dVotes, ...again, ...votes].reverse());
      const mine = await tallyProposal(ledger, proposal.id);
      expect(await tallyProposal(replica, proposal.id)).toEqual(mine);
      expect(mine.tally.totals.against).toBe(128n + aCounted + 320n - aFor);
      expect(mine.outcome).toEqual({ state: 'defeated', quorumReached: true, reason: 'against' });
    } finally {
      await ledger.close();
      await replica.close();
    }
  }, 400_000);

  it('go on after the close when a late quorum extends the vote, and stop at the extended close', async () => {
    const [a, b, c, d] = voters as [Voter, Voter, Voter, Voter];
    const closes = NOW + 3_600;
    const body = {
      ...(proposal.event.body as unknown as ProposalBody),
      title: 'Late quorum',
      lateQuorumExtension: 600,
    };
    const event = createProposal(d.key, body, { clock: at(NOW) });
    const late = { id: parseEnvelope(event).id, event };
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
    try {
      await ledger.appendBatch([...electorate.registrations, event]);
      // Quorum is 400 of 800: d (320) alone falls short; c (256) reaches it 50 s before the close.
      await ledger.appendBatch([
        ...(await vote(d, 'against', { on: late, when: closes - 100 })),
        ...(await vote(c, 'for', { on: late, when: closes - 50 })),
      ]);
      // Voting now closes at closes - 50 + 600: b's vote after the original close counts, a's after 550 s does not.
      const counted = await vote(b, 'for', { on: late, when: closes + 500 });
      const tooLate = await vote(a, 'for', { on: late, when: closes + 560 });
      await ledger.appendBatch([...counted, ...tooLate]);
      await rejectedAgoraError(
        ledger.append((await vote(a, 'for', { on: late, when: closes + 600 }))[0] as LedgerEvent),
        ErrorCode.InvalidEvent,
      );
      const result = await tallyProposal(ledger, late.id);
      expect(result.closes).toBe(closes + 550);
      expect(result.tally.totals).toEqual({ for: 384n, against: 320n, abstain: 0n });
      for (const piece of tooLate) expect(result.counted).not.toContain(parseEnvelope(piece).id);
      for (const piece of counted) expect(result.counted).toContain(parseEnvelope(piece).id);
    } finally {
      await ledger.close();
    }
  }, 300_000);
});
