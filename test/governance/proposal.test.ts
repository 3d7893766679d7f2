import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode, ManualClock } from '../../src/core/index.js';
import {
  cancelProposal,
  checkProposal,
  checkSnapshot,
  createProposal,
  GovernedState,
  type ProposalBody,
  type ProposerStanding,
  proposalCanceledType,
  proposalCreatedType,
  proposalCreatedTypeFor,
  proposalPieceRule,
  proposalState,
  tallyProposal,
  votingCloses,
} from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration, EventRegistry, Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { anchoredAt } from '../fixtures/decision-anchor.js';
import { electorateTypes, stakedElectorate, type Voter } from '../fixtures/electorate.js';
import { rejectedAgoraError, thrownAgoraError } from '../helpers.js';

const NOW = 1_800_000_000;
const body: ProposalBody = {
  title: 'Blacklist the garbage weather provider',
  options: ['for', 'against', 'abstain'],
  counting: 'single',
  weightMode: 'reputation',
  quorum: 2_000,
  threshold: 5_000,
  window: { opens: NOW + 60, closes: NOW + 86_400 },
  minWeight: '1',
  actions: [{ type: 'blacklist.add', agent: 'ab'.repeat(32) }],
  // Well-formed, but leading nowhere: the stored proposals below use a real snapshot.
  proposer: { weight: '1', pathIndices: Array(10).fill(0), siblings: Array(10).fill(['0', '0', '0']) },
  snapshot: {
    asOf: NOW,
    root: '12345',
    total: '1000000000',
    members: 42,
    events: 1,
    sources: ['cd'.repeat(32)],
  },
};
const clock = new ManualClock(NOW * 1000);
const at = (seconds: number) => new ManualClock(seconds * 1000);

async function ledger(): Promise<Ledger> {
  return Ledger.fromLevel(new MemoryLevel(), {
    registry: new EventRegistry([...electorateTypes, proposalCreatedType]),
  });
}

describe('proposal.created', () => {
  it('is stored when a registered agent with a leaf in the snapshot signs a well-formed proposal', async () => {
    const { voters, registrations, summary, standing } = await stakedElectorate([100n, 50n], NOW, NOW - 10);
    const [proposer] = voters as [Voter, Voter];
    const db = await ledger();
    try {
      await db.appendBatch(registrations);
      await db.append(
        createProposal(proposer.key, { ...body, snapshot: summary, proposer: standing(proposer) }, { clock }),
      );
      expect((await db.stats()).events).toBe(registrations.length + 1);
    } finally {
      await db.close();
    }
  });

  it('is refused below the proposer threshold, before its checkpoint is stored, or changed after signing; is invalid from an outsider or with another leaf', async () => {
    const { voters, registrations, summary, standing, snapshot } = await stakedElectorate(
      [100n, 50n],
      NOW,
      NOW - 10,
    );
    const [big, small] = voters as [Voter, Voter];
    const pieces = proposalPieceRule(snapshot.members);
    const outsider = generateAgentKey();
    const strict = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry([
        ...electorateTypes,
        proposalCreatedTypeFor({ minProposerWeight: { stake: 100n } }),
      ]),
    });
    const propose = (key: AgentKey, proposer: ProposerStanding) =>
      createProposal(key, { ...body, weightMode: 'stake', snapshot: summary, proposer, pieces }, { clock });
    try {
      // The checkpoint's parts are not stored yet: the proposal waits for them.
      await rejectedAgoraError(strict.append(propose(big.key, standing(big))), ErrorCode.MissingReference);
      await strict.appendBatch(registrations);
      // Below this network's threshold of 100 by its own declaration.
      const below = await rejectedAgoraError(
        strict.append(propose(small.key, standing(small))),
        ErrorCode.InvalidEvent,
      );
      expect(below.message).toMatch(/below the proposer threshold 100/);
      const tampered = structuredClone(propose(big.key, standing(big))) as LedgerEvent & {
        body: { quorum: number };
      };
      tampered.body.quorum = 0;
      await rejectedAgoraError(strict.append(tampered), ErrorCode.InvalidSignature);
      // An unregistered author's proposal waits for its registration.
      await rejectedAgoraError(strict.append(propose(outsider, standing(big))), ErrorCode.MissingReference);
      await strict.append(await createAgentRegistration(outsider, { clock }));
      // Stored, but the snapshot its checkpoint gives does not hold these leaves: invalid, never decided.
      const verdicts = [];
      for (const [key, standingOf] of [
        [outsider, standing(big)],
        [small.key, { ...standing(small), weight: '100' }],
        [small.key, standing(big)],
      ] as const) {
        const { id } = await strict.append(propose(key, standingOf));
        verdicts.push(await checkSnapshot(strict, id));
      }
      expect(verdicts.map((v) => v.status)).toEqual(['invalid', 'invalid', 'invalid']);
      expect(verdicts.map((v) => (v.status === 'invalid' ? v.reason : ''))).toEqual([
        'the proposer holds no leaf in the snapshot',
        "the proposer's weight is 50, it declares 100",
        "the proposer's weight is 50, it declares 100",
      ]);
      const { id } = await strict.append(propose(big.key, standing(big)));
      expect((await checkSnapshot(strict, id)).status).toBe('valid');
      // The piece rule is recomputed: another top (here 0, every weight in pieces of 1) is invalid, as is another floor
      // (`test/attacks/vote-proposer-low-floor.test.ts`).
      const flattened = await strict.append(
        createProposal(
          big.key,
          {
            ...body,
            weightMode: 'stake',
            snapshot: summary,
            proposer: standing(big),
            pieces: { top: 0, floor: 0 },
          },
          { clock },
        ),
      );
      const verdict = await checkSnapshot(strict, flattened.id);
      expect(verdict).toMatchObject({
        status: 'invalid',
        reason: expect.stringMatching(/piece rule is top 0/),
      });
    } finally {
      await strict.close();
    }
  });

  it('refuses malformed rules, windows, snapshots and actions, naming the problem', () => {
    const key = generateAgentKey();
    const cases: [Partial<Record<keyof ProposalBody, unknown>>, RegExp][] = [
      [{ options: ['for', 'against', 'abstain', 'maybe'] }, /yes\/no/],
      [{ options: ['a', 'a'] }, /distinct/],
      [{ options: ['only'] }, /2 to 16/],
      [{ counting: 'borda' }, /counting/],
      [{ weightMode: 'wealth' }, /weightMode/],
      [{ quorum: 10_001 }, /basis points/],
      [{ window: { opens: NOW + 10, closes: NOW + 10 } }, /closes after/],
      [{ window: { opens: NOW - 10, closes: NOW + 10 } }, /before the proposal/],
      [{ snapshot: { ...body.snapshot, asOf: NOW + 61 } }, /after the window opens/],
      [{ snapshot: { ...body.snapshot, asOf: NOW + 30 } }, /after the proposal is made/],
      [{ snapshot: { ...body.snapshot, root: '1'.repeat(78) } }, /snapshot/],
      [{ minWeight: String(1n << 64n) }, /minWeight/],
      [{ actions: [{ type: 'treasury.spend', amount: 1 }] }, /unknown action/],
      [{ actions: [{ type: 'blacklist.add', agent: 'x' }] }, /one agent id/],
      [{ actions: [{ type: 'parameter.set', name: 'fee', value: { nested: true } }] }, /scalar/],
      [{ title: 'line\u0000break' }, /title/],
      [{ proposer: { ...body.proposer, pathIndices: [4, 0, 0, 0, 0, 0, 0, 0, 0, 0] } }, /proposer/],
      [{ proposer: { ...body.proposer, weight: '-1' } }, /proposer/],
    ];
    for (const [change, message] of cases) {
      const error = thrownAgoraError(
        () => createProposal(key, { ...body, ...change } as ProposalBody, { clock }),
        ErrorCode.InvalidEvent,
      );
      expect(error.message).toMatch(message);
    }
  });

  it('gives only INVALID_EVENT on garbage bodies (property)', () => {
    const mutated = fc.record({
      field: fc.constantFrom(...(Object.keys(body) as (keyof ProposalBody)[])),
      value: fc.anything(),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          mutated.map(({ field, value }) => ({ ...body, [field]: value })),
        ),
        (value) => {
          try {
            checkProposal(value, NOW);
          } catch (error) {
            expect(error).toBeInstanceOf(AgoraError);
            expect((error as AgoraError).code).toBe(ErrorCode.InvalidEvent);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('proposal.canceled', () => {
  it('lets the proposer withdraw before the window opens, refuses anyone else or later, and ends the proposal', async () => {
    const { voters, registrations, summary, standing } = await stakedElectorate([100n, 50n], NOW, NOW - 10);
    const [proposer, other] = voters as [Voter, Voter];
    const db = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry([...electorateTypes, proposalCreatedType, proposalCanceledType]),
    });
    try {
      await db.appendBatch(registrations);
      const event = createProposal(
        proposer.key,
        { ...body, snapshot: summary, proposer: standing(proposer) },
        { clock },
      );
      const { id } = await db.append(event);
      const before = at(NOW + 30);
      await rejectedAgoraError(
        db.append(cancelProposal(other.key, id, { clock: before })),
        ErrorCode.InvalidEvent,
      );
      await rejectedAgoraError(
        db.append(cancelProposal(proposer.key, id, { clock: at(NOW + 60) })),
        ErrorCode.InvalidEvent,
      );
      await rejectedAgoraError(
        db.append(cancelProposal(proposer.key, 'ab'.repeat(32), { clock: before })),
        ErrorCode.MissingReference,
      );
      const { id: cancel } = await db.append(cancelProposal(proposer.key, id, { clock: before }));
      const result = await tallyProposal(db, id);
      expect(result.canceledBy).toBe(cancel);
      expect(proposalState(result, NOW + 100_000)).toBe('canceled');
      // Its actions are never carried out.
      expect(
        (await GovernedState.fromLedger(db, NOW + 100_000, { anchors: anchoredAt(NOW + 100_000, id) }))
          .applied,
      ).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe('late-quorum extension', () => {
  const proposal = {
    ...body,
    quorum: 5_000,
    lateQuorumExtension: 600,
    snapshot: { ...body.snapshot, total: '1000' },
  };
  const closes = body.window.closes;
  const vote = (id: string, created: number, votingWeight: number) => ({
    id,
    created,
    body: { proposal: 'p', ballot: { choice: 'for' }, nullifier: id, votingWeight: String(votingWeight) },
  });

  it('moves the close only when quorum is first reached within the extension before it', () => {
    // Quorum (500) reached early: no extension.
    expect(votingCloses(proposal, [vote('a', closes - 700, 600)])).toBe(closes);
    // Reached 100 s before the close: voting goes on 600 s after that vote.
    expect(votingCloses(proposal, [vote('a', closes - 900, 300), vote('b', closes - 100, 300)])).toBe(
      closes + 500,
    );
    // Never reached, or reached only by a vote after the close: no extension.
    expect(votingCloses(proposal, [vote('a', closes - 100, 400)])).toBe(closes);
    expect(votingCloses(proposal, [vote('a', closes - 100, 400), vote('b', closes + 10, 400)])).toBe(closes);
    // Without an extension the window is the window.
    const { lateQuorumExtension: _, ...plain } = proposal;
    expect(votingCloses(plain, [vote('a', closes - 100, 600)])).toBe(closes);
  });

  it('is refused outside 1 second to 30 days', () => {
    for (const lateQuorumExtension of [0, 30 * 86_400 + 1, 1.5])
      thrownAgoraError(() => checkProposal({ ...body, lateQuorumExtension }, NOW), ErrorCode.InvalidEvent);
  });
});
