// Issue 17: a vote that reveals its voter's exact weight names the voter when that weight is unique in the snapshot
// (public): anyone with the ledger learned who voted and how. The observer's attack is `anonymitySets`; the fix is the
// piece rule (`castPrivateVote`, the default everywhere) and a tally that does not count a vote in a set below
// `minAnonymity`.
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import {
  anonymitySets,
  anonymousPieces,
  castPrivateVote,
  choosePieceRule,
  createProposal,
  DEFAULT_MIN_ANONYMITY,
  denominationCounts,
  exactReveal,
  pieceReveal,
  pieceWeight,
  proposalCreatedType,
  requiredAnonymity,
  tallyProposal,
  voteAnonymity,
  voteCastType,
} from '../../src/governance/index.js';
import { EventRegistry, Ledger, type LedgerEvent, parseEnvelope } from '../../src/ledger/index.js';
import { type Prover, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { type Electorate, electorateTypes, stakedElectorate, type Voter } from '../fixtures/electorate.js';
import { castWhole } from '../fixtures/pieces.js';
import { voteZk } from '../fixtures/zk.js';

const NOW = 1_800_000_000;
const at = (seconds: number) => new ManualClock(seconds * 1000);

/** Weights like reputation scores: distinct, heavy-tailed. */
const paretoWeights = (n: number, seed: number) => {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state + 1) / (2 ** 31 + 1);
  };
  return Array.from({ length: n }, (_, i) => ({
    agent: `agent-${i}`,
    weight: BigInt(Math.floor(1_000_000 / next() ** (1 / 1.2))),
  }));
};

describe('the anonymity of a vote, as an observer computes it', () => {
  it('exact weights name their voters; the piece rule hides every piece among at least k members', () => {
    const members = paretoWeights(50, 7);
    // Today's default: each voter reveals its whole weight. Every one of these weights is unique.
    const exact = anonymitySets(
      members,
      members.slice(0, 14).map((m, i) => ({ id: `v${i}`, votingWeight: m.weight })),
      exactReveal,
    );
    expect(exact.filter((vote) => vote.candidates.length === 1).length).toBe(14);
    expect(exact[0]?.candidates).toEqual(['agent-0']);

    // The piece rule: every piece a voter casts has at least k candidates.
    const k = requiredAnonymity(DEFAULT_MIN_ANONYMITY, members.length);
    const rule = choosePieceRule(members, k);
    const counts = denominationCounts(members, rule);
    const cast = members.flatMap((m, i) =>
      anonymousPieces(m.weight, rule, counts, k).map((piece, j) => ({
        id: `v${i}-${j}`,
        votingWeight: pieceWeight(piece),
      })),
    );
    const sets = anonymitySets(members, cast, pieceReveal(rule));
    expect(Math.min(...sets.map((set) => set.candidates.length))).toBeGreaterThanOrEqual(k);
  });

  it('holds for any snapshot: no piece the client rule casts has fewer than k candidates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 1n << 36n }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 16 }),
        (weights, minAnonymity) => {
          const members = weights.map((weight, i) => ({ agent: `a${i}`, weight }));
          const k = requiredAnonymity(minAnonymity, members.length);
          const rule = choosePieceRule(members, k);
          const counts = denominationCounts(members, rule);
          const cast = members.flatMap((m, i) =>
            anonymousPieces(m.weight, rule, counts, k).map((piece, j) => ({
              id: `${i}/${j}`,
              votingWeight: pieceWeight(piece),
            })),
          );
          for (const set of anonymitySets(members, cast, pieceReveal(rule)))
            expect(set.candidates.length).toBeGreaterThanOrEqual(k);
        },
      ),
      { numRuns: 60 },
    );
  }, 300_000);
});

describe('the tally and the default vote helper', () => {
  let prover: Prover;
  let verifier: Verifier;
  let electorate: Electorate;
  let proposal: { id: string; event: LedgerEvent };

  // Nine members with distinct stakes: revealing one names its holder.
  beforeAll(async () => {
    ({ prover, verifier } = await voteZk());
    electorate = await stakedElectorate(
      [100n, 230n, 310n, 420n, 515n, 640n, 770n, 805n, 999n],
      NOW,
      NOW - 10,
    );
    const voters = electorate.voters;
    const k = requiredAnonymity(DEFAULT_MIN_ANONYMITY, voters.length);
    const event = electorate.propose(voters[0] as Voter, NOW, {
      window: { opens: NOW, closes: NOW + 3_600 },
      minAnonymity: DEFAULT_MIN_ANONYMITY,
      pieces: choosePieceRule(electorate.snapshot.members, k),
    });
    proposal = { id: parseEnvelope(event).id, event };
  }, 60_000);

  afterAll(() => releaseCurve());

  it('counts only votes hidden among k members: the default helper casts nothing else, an exact vote is not counted', async () => {
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry([...electorateTypes, proposalCreatedType, voteCastType(verifier)]),
    });
    try {
      await ledger.appendBatch([...electorate.registrations, proposal.event]);
      const [, b, c, whole] = electorate.voters as Voter[];
      const privately: LedgerEvent[] = [];
      for (const voter of [b, c] as Voter[]) {
        const cast = await castPrivateVote(prover, {
          proposal,
          ballot: { choice: 'for' },
          secret: voter.zk.secret,
          weight: voter.stake,
          path: electorate.path(voter),
          members: electorate.snapshot.members,
          clock: at(NOW + 10),
        });
        privately.push(...cast.pieces.map((piece) => piece.event));
      }
      // A member reveals its exact weight, 420 = 3 x 128 + 32 + 4: its three pieces of 128 hide it among k, its rare
      // pieces name it. (Not the heaviest, 999: twelve pieces, twelve proofs, for the same two kinds of piece.)
      const exact = await castWhole(prover, {
        proposal,
        ballot: { choice: 'against' },
        secret: (whole as Voter).zk.secret,
        weight: (whole as Voter).stake,
        path: electorate.path(whole as Voter),
        clock: at(NOW + 20),
      });
      await ledger.appendBatch([...privately, ...exact]);

      const result = await tallyProposal(ledger, proposal.id);
      const required = result.anonymity?.required as number;
      expect(required).toBe(8);
      // Each counted piece hides among k. The exact voter's three counted pieces of 128 are also linked by their
      // choice, which nobody else made: the report lists that group (and `smallest` counts it).
      const countedIds = new Set(result.counted);
      const pieceSets = (result.anonymity?.sets ?? [])
        .filter((set) => countedIds.has(set.id))
        .map((set) => set.size);
      expect(Math.min(...pieceSets)).toBeGreaterThanOrEqual(required);
      expect(result.anonymity?.linked).toContainEqual(
        expect.objectContaining({ ballot: '{"choice":"against"}', pieces: 3 }),
      );
      for (const piece of privately) expect(result.counted).toContain(parseEnvelope(piece).id);
      const exposed = result.anonymity?.exposed ?? [];
      expect(exposed.length).toBeGreaterThan(0);
      for (const id of exposed) expect(result.counted).not.toContain(id);
      // The exact vote is judged piece by piece: its three pieces of 128 count, its two rare ones do not.
      expect(exact.filter((piece) => result.counted.includes(parseEnvelope(piece).id)).length).toBe(3);
      expect(exact.length).toBe(5);

      // The attack tool on the ledger: under the published rule, every counted vote keeps at least k candidates, and
      // the exposed ones are exactly those that name fewer.
      const seen = await voteAnonymity(ledger, proposal.id);
      const counted = new Set(result.counted);
      for (const vote of seen.votes)
        if (counted.has(vote.id)) expect(vote.candidates.length).toBeGreaterThanOrEqual(required);
        else expect(vote.candidates.length).toBeLessThan(required);
      // Had the member revealed its whole weight in one vote, as votes did before pieces, it was named.
      const before = anonymitySets(
        electorate.snapshot.members,
        [{ id: 'whole', votingWeight: (whole as Voter).stake }],
        exactReveal,
      );
      expect(before[0]?.candidates).toEqual([(whole as Voter).key.id]);
    } finally {
      await ledger.close();
    }
  }, 600_000);

  it('refuses a proposal whose anonymity or piece rule is malformed', () => {
    const voter = electorate.voters[0] as Voter;
    for (const terms of [
      { minAnonymity: 0 },
      { pieces: { top: 40, floor: 0 } },
      { pieces: { top: 3, floor: 4 } },
    ])
      expect(() =>
        createProposal(voter.key, { ...(proposal.event.body as object), ...terms } as never),
      ).toThrow(/minAnonymity|pieces/);
  });
});
