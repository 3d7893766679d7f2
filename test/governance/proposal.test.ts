import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode, ManualClock } from '../../src/core/index.js';
import {
  checkProposal,
  createProposal,
  type ProposalBody,
  proposalCreatedType,
} from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  Ledger,
  type LedgerEvent,
} from '../../src/ledger/index.js';
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
  snapshot: { asOf: NOW, root: '12345', total: '1000000000', members: 42 },
};
const clock = new ManualClock(NOW * 1000);

async function ledger(): Promise<Ledger> {
  return Ledger.fromLevel(new MemoryLevel(), {
    registry: new EventRegistry([agentRegisteredType, proposalCreatedType]),
  });
}

describe('proposal.created', () => {
  it('is stored when a registered agent signs a well-formed proposal', async () => {
    const key = generateAgentKey();
    const db = await ledger();
    try {
      await db.append(await createAgentRegistration(key, { clock }));
      const proposal = createProposal(key, body, { clock });
      await db.append(proposal);
      expect((await db.stats()).events).toBe(2);
    } finally {
      await db.close();
    }
  });

  it('is refused from an unregistered agent, and when its body was changed after signing', async () => {
    const key = generateAgentKey();
    const db = await ledger();
    try {
      await rejectedAgoraError(db.append(createProposal(key, body, { clock })), ErrorCode.InvalidEvent);
      await db.append(await createAgentRegistration(key, { clock }));
      const tampered = structuredClone(createProposal(key, body, { clock })) as LedgerEvent & {
        body: { quorum: number };
      };
      tampered.body.quorum = 0;
      await rejectedAgoraError(db.append(tampered), ErrorCode.InvalidSignature);
    } finally {
      await db.close();
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
      [{ snapshot: { ...body.snapshot, root: '1'.repeat(78) } }, /snapshot/],
      [{ minWeight: String(1n << 64n) }, /minWeight/],
      [{ actions: [{ type: 'treasury.spend', amount: 1 }] }, /unknown action/],
      [{ actions: [{ type: 'blacklist.add', agent: 'x' }] }, /one agent id/],
      [{ actions: [{ type: 'parameter.set', name: 'fee', value: { nested: true } }] }, /scalar/],
      [{ title: 'line\u0000break' }, /title/],
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
