import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import {
  checkProposal,
  type DisputeLoss,
  disputeLosers,
  GovernedState,
  type Outcome,
  type ProposalAction,
  type ProposalBody,
} from '../../src/governance/index.js';
import { thrownAgoraError } from '../helpers.js';

const succeeded: Outcome = { state: 'succeeded', quorumReached: true, winner: 'for' };
const DAY = 86_400;
const provider = 'ab'.repeat(32);
const other = 'cd'.repeat(32);

function proposal(closes: number, actions: ProposalAction[]): ProposalBody {
  return {
    title: 't',
    options: ['for', 'against', 'abstain'],
    counting: 'single',
    weightMode: 'equal',
    quorum: 0,
    threshold: 5_000,
    window: { opens: closes - 100, closes },
    minWeight: '1',
    actions,
    proposer: { weight: '1', pathIndices: Array(10).fill(0), siblings: Array(10).fill(['0', '0', '0']) },
    snapshot: {
      asOf: closes - 100,
      root: '1',
      total: '1',
      members: 1,
      events: 1,
      sources: ['ef'.repeat(32)],
    },
  };
}

const closed = (id: string, closes: number, actions: ProposalAction[]) => ({
  id,
  proposal: proposal(closes, actions),
  outcome: succeeded,
});

const rule = {
  type: 'rule.install',
  rule: { kind: 'blacklist-dispute-losers', losses: 2, days: 30 },
} as const;
const loss = (agent: string, at: number, n: number): DisputeLoss => ({
  agent,
  at,
  dispute: n.toString(16).padStart(64, '0'),
});

describe('standing rules', () => {
  it('a proposal installs or removes a rule of the closed vocabulary; anything else is refused', () => {
    const created = 1_900;
    expect(() => checkProposal(proposal(2_000, [rule]), created)).not.toThrow();
    expect(() =>
      checkProposal(proposal(2_000, [{ type: 'rule.remove', kind: 'min-reputation' }]), created),
    ).not.toThrow();
    for (const bad of [
      { type: 'rule.install', rule: { kind: 'blacklist-everyone' } },
      { type: 'rule.install', rule: { kind: 'blacklist-dispute-losers', losses: 0, days: 30 } },
      { type: 'rule.install', rule: { kind: 'min-reputation', score: -1 } },
      { type: 'rule.install', rule: { kind: 'min-proposer-stake', sat: 12 } },
      { type: 'rule.remove', kind: 'anything' },
    ])
      thrownAgoraError(() => checkProposal(proposal(2_000, [bad as never]), created), ErrorCode.InvalidEvent);
  });

  it('blacklists a provider that lost N disputes within W days, with no proposal naming it, while installed', () => {
    const now = 100 * DAY;
    const losses = [
      loss(provider, now - DAY, 1),
      loss(provider, now - 10 * DAY, 2),
      loss(other, now - DAY, 3),
    ];
    const state = new GovernedState([closed('01', 10, [rule])], { now, facts: { losses } });
    expect(state.has(provider)).toBe(true);
    expect(state.has(other)).toBe(false);
    expect(state.blacklistedByRule()).toEqual([provider]);
    expect(state.rules()).toEqual([rule.rule]);
    // Losses older than the window do not count; no rule, no blacklist.
    expect(
      new GovernedState([closed('01', 10, [rule])], { now: now + 25 * DAY, facts: { losses } }).has(provider),
    ).toBe(false);
    expect(new GovernedState([], { now, facts: { losses } }).has(provider)).toBe(false);
    // Removed by a later proposal.
    const removed = new GovernedState(
      [
        closed('01', 10, [rule]),
        closed('02', 20, [{ type: 'rule.remove', kind: 'blacklist-dispute-losers' }]),
      ],
      { now, facts: { losses } },
    );
    expect(removed.has(provider)).toBe(false);
    expect(removed.rules()).toEqual([]);
  });

  it('counts each dispute once, whatever the order of the losses', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            agent: fc.constantFrom(provider, other),
            at: fc.integer({ min: 0, max: 60 }),
            n: fc.nat(20),
          }),
        ),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 60 }),
        (raw, losses, days) => {
          const list = raw.map((l) => loss(l.agent, l.at * DAY, l.n));
          const r = { kind: 'blacklist-dispute-losers', losses, days } as const;
          const now = 60 * DAY;
          const expected = [provider, other]
            .filter(
              (agent) =>
                new Set(
                  list
                    .filter((l) => l.agent === agent && l.at > now - days * DAY && l.at <= now)
                    .map((l) => l.dispute),
                ).size >= losses,
            )
            .sort();
          expect(disputeLosers(r, list, now)).toEqual(expected);
          expect(disputeLosers(r, [...list].reverse(), now)).toEqual(expected);
        },
      ),
    );
  });

  it('gives the L402 gate its minimum reputation, and holds back proposals of proposers below the minimum stake', () => {
    const state = new GovernedState(
      [
        closed('01', 10, [
          { type: 'rule.install', rule: { kind: 'min-reputation', score: 5_000 } },
          { type: 'rule.install', rule: { kind: 'min-proposer-stake', sat: '1000' } },
        ]),
        closed('02', 20, [{ type: 'blacklist.add', agent: other }]),
        closed('03', 30, [{ type: 'blacklist.add', agent: provider }]),
      ],
      {
        facts: {
          proposerStake: new Map([
            ['02', 999n],
            ['03', 1_000n],
          ]),
        },
      },
    );
    expect(state.minReputation()).toBe(5_000);
    expect(state.minProposerStake()).toBe(1_000n);
    expect(state.has(other)).toBe(false);
    expect(state.has(provider)).toBe(true);
    expect(state.skipped.map((s) => s.proposal)).toEqual(['02']);
  });
});
