// Jurors who did not vote lose a small part of their stake: who counts as absent (attestations in their own name),
// how much each loses and to whom it goes, whatever order the events arrive in. Three juror proofs in all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import {
  absentJurors,
  absentPenalties,
  createDisputeAttended,
  DISPUTE_TERMS,
  type DisputeDrawnBody,
  type DisputeRound,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { panelProver, panelVerifier } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';
import { at, buildWorld, disputeFlow, idOf, ledgerWith, type World } from './fixture.js';

let verifier: Verifier;
let world: World;
let flow: LedgerEvent[];
let panel: string[];
let times: ReturnType<typeof roundTimes>;

const jurorKey = (agent: string) => world.jurors.find((j) => j.id === agent) as AgentKey;
const attend = (agent: string, created = times.votesClose + 30) =>
  createDisputeAttended(jurorKey(agent), { dispute: idOf(world.opened), round: 0 }, { clock: at(created) });

beforeAll(async () => {
  const prover = await panelProver();
  verifier = await panelVerifier();
  world = await buildWorld({ verifier, jurorCount: 10 });
  // Three of five jurors vote (two uphold, one rejects); nobody attests yet.
  flow = await disputeFlow(world, prover, verifier, ['upheld', 'upheld', 'rejected'], 7, {
    extras: false,
    attend: false,
  });
  panel = [...((flow[1] as LedgerEvent).body as unknown as DisputeDrawnBody).panel];
  times = roundTimes(world.openedBody.answerBy, 0);
}, 300_000);
afterAll(() => releaseCurve());

/** The dispute read after its last moment from a ledger holding the world, the flow and `extra`, in that order. */
async function decided(
  extra: readonly LedgerEvent[],
  order: (events: LedgerEvent[]) => LedgerEvent[] = (e) => e,
) {
  const ledger = await ledgerWith(verifier, order([...world.base, world.opened, ...flow, ...extra]));
  try {
    const view = await readDispute(ledger, idOf(world.opened), Number.MAX_SAFE_INTEGER);
    return { view, penalties: await absentPenalties(ledger, view) };
  } finally {
    await ledger.close();
  }
}

describe('absent jurors', () => {
  it('are the panel members that did not attest; each loses 1% of its custodial stake to the majority jurors', async () => {
    const { view, penalties } = await decided(panel.slice(0, 3).map((agent) => attend(agent)));
    expect(view.status).toBe('decided');
    const round = view.rounds[0] as DisputeRound;
    expect(round.attended).toEqual(panel.slice(0, 3).sort());
    expect(absentJurors(round)).toEqual(panel.slice(3).sort());
    expect(penalties?.map((p) => p.staker).sort()).toEqual(panel.slice(3).sort());
    const majority = round.reveals.filter((r) => r.choice === 'upheld').map((r) => r.payout);
    expect(majority).toHaveLength(2);
    for (const instruction of penalties ?? []) {
      // The fixture's jurors stake 100, 200, ... sats: 1% is a whole number of sats.
      const penalty = (instruction.amountSat * BigInt(DISPUTE_TERMS.absentPenaltyBps)) / 10_000n;
      expect(instruction.action).toBe('settle');
      expect(instruction.payouts.find((p) => p.to === instruction.staker)?.sat).toBe(
        instruction.amountSat - penalty,
      );
      expect(instruction.payouts.reduce((sum, p) => sum + p.sat, 0n)).toBe(instruction.amountSat);
      // A share that rounds to nothing is no payout (a 100-sat stake's 1 sat between two jurors): the panel is drawn
      // from fresh keys, so which stakes are absent differs from run to run.
      for (const key of majority)
        expect(instruction.payouts.find((p) => p.to === key)?.sat ?? 0n).toBe(penalty / 2n);
    }
  });

  it('gives the same penalties whatever order the events arrive in', async () => {
    const extra = panel.slice(0, 3).map((agent) => attend(agent));
    const reference = JSON.stringify((await decided(extra)).penalties, (_, v) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    for (const order of [
      (e: LedgerEvent[]) => [...e].reverse(),
      (e: LedgerEvent[]) => [...e.slice(20), ...e.slice(0, 20)],
    ]) {
      const { penalties } = await decided(extra, order);
      expect(JSON.stringify(penalties, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(reference);
    }
  });

  it('ignores attestations by agents off the panel, and penalizes nobody before the dispute is decided', async () => {
    const outsider = world.jurors.find((j) => !panel.includes(j.id)) as AgentKey;
    const { view } = await decided([
      ...panel.slice(0, 3).map((agent) => attend(agent)),
      createDisputeAttended(
        outsider,
        { dispute: idOf(world.opened), round: 0 },
        { clock: at(times.votesClose + 40) },
      ),
    ]);
    expect(view.rounds[0]?.attended).toEqual(panel.slice(0, 3).sort());
    const ledger = await ledgerWith(verifier, [...world.base, world.opened, ...flow]);
    try {
      const open = await readDispute(ledger, idOf(world.opened), times.votesClose);
      expect(await absentPenalties(ledger, open)).toBeUndefined();
    } finally {
      await ledger.close();
    }
  });

  it('refuses an attestation outside the round window or of a round out of range', async () => {
    const ledger = await ledgerWith(verifier, [...world.base, world.opened, ...flow]);
    try {
      await rejectedAgoraError(
        ledger.append(attend(panel[0] as string, times.revealsClose)),
        ErrorCode.InvalidEvent,
      );
      await rejectedAgoraError(
        ledger.append(
          createDisputeAttended(
            jurorKey(panel[0] as string),
            { dispute: idOf(world.opened), round: 9 },
            {
              clock: at(times.votesClose),
            },
          ),
        ),
        ErrorCode.InvalidEvent,
      );
      await rejectedAgoraError(
        ledger.append(
          createDisputeAttended(
            generateAgentKey(),
            { dispute: 'ab'.repeat(32), round: 0 },
            { clock: at(times.votesClose) },
          ),
        ),
        ErrorCode.MissingReference,
      );
    } finally {
      await ledger.close();
    }
  });
});
