import { describe, expect, it } from 'vitest';
import type { Outcome, ProposalAction, ProposalBody, ProposalResult } from '../../src/governance/index.js';
import { GovernedState, proposalState } from '../../src/governance/index.js';
import { checkCaveats } from '../../src/l402/index.js';

const agent = 'ab'.repeat(32);
const succeeded: Outcome = { state: 'succeeded', quorumReached: true, winner: 'for' };
const defeated: Outcome = { state: 'defeated', quorumReached: true, reason: 'against' };

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
    proposer: { weight: '1', pathIndices: [], siblings: [] },
    snapshot: {
      asOf: closes - 100,
      root: '1',
      total: '1',
      members: 1,
      events: 1,
      sources: ['cd'.repeat(32)],
    },
  };
}

describe('proposal state', () => {
  const result = (outcome: Outcome, extra: Partial<ProposalResult> = {}): ProposalResult => ({
    proposal: proposal(1_000, []),
    tally: { method: 'single', totals: {}, scale: 1n, participation: 0n, winners: [] },
    snapshot: { status: 'valid' },
    outcome,
    closes: 1_000,
    counted: [],
    doubleVotes: [],
    ...extra,
  });

  it('is pending before the window, active until voting closes, then the decided outcome', () => {
    expect(proposalState(result(succeeded), 899)).toBe('pending');
    expect(proposalState(result(succeeded), 900)).toBe('active');
    expect(proposalState(result(defeated), 999)).toBe('active');
    expect(proposalState(result(defeated), 1_000)).toBe('defeated');
    expect(proposalState(result(succeeded), 1_000)).toBe('succeeded');
    // A late quorum extended voting to 1,200.
    expect(proposalState(result(succeeded, { closes: 1_200 }), 1_000)).toBe('active');
    expect(proposalState(result(succeeded, { closes: 1_200 }), 1_200)).toBe('succeeded');
  });

  it('is canceled, whatever the time, once its proposer withdrew it', () => {
    for (const now of [0, 950, 2_000])
      expect(proposalState(result(succeeded, { canceledBy: 'cc'.repeat(32) }), now)).toBe('canceled');
  });
});

describe('governed state', () => {
  it('carries out the actions of succeeded proposals in closing order and feeds the L402 blacklist caveat', async () => {
    const state = new GovernedState([
      // Listed out of order on purpose: the removal closes last, so the agent ends up off the list.
      {
        id: '03'.repeat(32),
        proposal: proposal(3_000, [{ type: 'blacklist.remove', agent }]),
        outcome: succeeded,
      },
      {
        id: '01'.repeat(32),
        proposal: proposal(1_000, [{ type: 'blacklist.add', agent }]),
        outcome: succeeded,
      },
      {
        id: '02'.repeat(32),
        proposal: proposal(2_000, [{ type: 'parameter.set', name: 'fee.ppm', value: 5 }]),
        outcome: succeeded,
      },
      {
        id: '04'.repeat(32),
        proposal: proposal(2_000, [{ type: 'parameter.set', name: 'fee.ppm', value: 9 }]),
        outcome: defeated,
      },
    ]);
    expect(state.has(agent)).toBe(false);
    expect(state.parameter('fee.ppm')).toBe(5);
    expect(state.applied.map((a) => a.action.type)).toEqual([
      'blacklist.add',
      'parameter.set',
      'blacklist.remove',
    ]);

    const blacklisting = new GovernedState([
      {
        id: '01'.repeat(32),
        proposal: proposal(1_000, [{ type: 'blacklist.add', agent }]),
        outcome: succeeded,
      },
    ]);
    const refusal = await checkCaveats(['agora_blacklist=governance'], {
      service: 'api',
      now: 0,
      payer: agent,
      blacklist: blacklisting,
    });
    expect(refusal?.status).toBe(403);
    expect(
      await checkCaveats(['agora_blacklist=governance'], {
        service: 'api',
        now: 0,
        payer: 'cd'.repeat(32),
        blacklist: blacklisting,
      }),
    ).toBeUndefined();
  });

  it('orders proposals closing in the same second by id', () => {
    const state = new GovernedState([
      {
        id: '09'.repeat(32),
        proposal: proposal(1_000, [{ type: 'parameter.set', name: 'x', value: 'late' }]),
        outcome: succeeded,
      },
      {
        id: '08'.repeat(32),
        proposal: proposal(1_000, [{ type: 'parameter.set', name: 'x', value: 'early' }]),
        outcome: succeeded,
      },
    ]);
    expect(state.parameter('x')).toBe('late');
  });
});
