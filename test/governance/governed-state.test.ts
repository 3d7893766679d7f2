import { describe, expect, it } from 'vitest';
import type { Outcome, ProposalAction, ProposalBody } from '../../src/governance/index.js';
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
    snapshot: { asOf: closes - 100, root: '1', total: '1', members: 1 },
  };
}

describe('proposal state', () => {
  it('is pending before the window, active inside it, then the decided outcome', () => {
    const body = proposal(1_000, []);
    expect(proposalState(body, 899, succeeded)).toBe('pending');
    expect(proposalState(body, 900, succeeded)).toBe('active');
    expect(proposalState(body, 999, defeated)).toBe('active');
    expect(proposalState(body, 1_000, defeated)).toBe('defeated');
    expect(proposalState(body, 1_000, succeeded)).toBe('succeeded');
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
