import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, HEADER_TIME_TOLERANCE } from '../../src/core/index.js';
import {
  castJurorVote,
  createDisputeAnswered,
  createDisputeAppealed,
  createDisputeDrawn,
  createDisputeOpened,
  DISPUTE_TERMS,
  type DisputeDrawnBody,
  disputeLosses,
  drawFor,
  type JurorChoice,
  panelTree,
  readDispute,
  reputationWithDisputes,
  revealJurorVote,
  roundTimes,
  settlement,
} from '../../src/disputes/index.js';
import { GovernedState, type ProposalAction, type ProposalBody } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import type { Ledger, LedgerEvent } from '../../src/ledger/index.js';
import { rateReceipt } from '../../src/receipts/index.js';
import { Reputation } from '../../src/reputation/index.js';
import { type PanelProver, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { anchoredAt } from '../fixtures/decision-anchor.js';
import { panelZk } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';
import { at, buildWorld, custodialLock, idOf, ledgerWith, regtestHeader, T, type World } from './fixture.js';

let prover: PanelProver;
let verifier: Verifier;
let world: World;
const answerBy = T + 100 + 3_600;
const round0 = roundTimes(answerBy, 0);

beforeAll(async () => {
  ({ prover, verifier } = await panelZk());
  world = await buildWorld({ verifier, jurorCount: 20 });
}, 120_000);
afterAll(() => releaseCurve());

const answer = (bond = world.bonds.provider, key = world.provider, created = T + 200) =>
  createDisputeAnswered(
    key,
    { dispute: idOf(world.opened), evidence: 'served 200 with the forecast', bond: idOf(bond) },
    {
      clock: at(created),
    },
  );

/** Draws round `round` from regtest header `tag`, as anyone would post it. */
async function draw(
  ledger: Ledger,
  round: number,
  tag: number,
  appeal: string | null = null,
): Promise<LedgerEvent> {
  const header = regtestHeader(tag);
  const panel = await drawFor(ledger, idOf(world.opened), round, header);
  return createDisputeDrawn(
    generateAgentKey(),
    { dispute: idOf(world.opened), round, appeal, header, panel },
    { clock: at(answerBy + 1) },
  );
}

const keyOf = (agent: string) => world.jurors.find((juror) => juror.id === agent) as AgentKey;

/** Seals one vote per listed panel seat (by index) and returns the votes with their reveals. */
async function vote(ledger: Ledger, round: number, choices: readonly JurorChoice[]) {
  const view = await readDispute(ledger, idOf(world.opened), round0.votesOpen);
  const tree = await panelTree(view, round);
  const drawn = view.rounds[round];
  const times = roundTimes(answerBy, round);
  const sealed = [];
  for (const [seat, choice] of choices.entries()) {
    const juror = keyOf(drawn?.panel?.[seat] as string);
    sealed.push(
      await castJurorVote(prover, {
        dispute: idOf(world.opened),
        round,
        panelRoot: drawn?.panelRoot as bigint,
        path: tree.path(seat),
        secret: (await zkIdentity(juror)).secret,
        choice,
        payoutKey: generateAgentKey(),
        clock: at(times.votesOpen + 10 + seat),
      }),
    );
  }
  return {
    votes: sealed.map((s) => s.event),
    reveals: sealed.map((s) => revealJurorVote(s, { clock: at(times.votesClose + 5) })),
    sealed,
  };
}

describe('opening a dispute', () => {
  it('waits for a receipt it names that is not stored yet, and is stored once it arrives', async () => {
    const ledger = await ledgerWith(
      verifier,
      world.base.filter((e) => e !== world.receipt),
    );
    await rejectedAgoraError(ledger.append(world.opened), ErrorCode.MissingReference);
    await ledger.append(world.receipt);
    expect((await ledger.append(world.opened)).added).toBe(true);
    await ledger.close();
  });

  it('refuses a dispute over an event that is not a receipt, by a non-party, or with a bond that is not its own', async () => {
    const ledger = await ledgerWith(verifier, world.base);
    const open = (key: AgentKey, changes: Record<string, unknown>) =>
      createDisputeOpened(key, { ...world.openedBody, ...changes } as never, { clock: at(T + 100) });
    await rejectedAgoraError(
      ledger.append(open(world.payer, { receipt: idOf(world.bonds.payer) })),
      ErrorCode.InvalidEvent,
    );
    await rejectedAgoraError(ledger.append(open(world.jurors[0] as AgentKey, {})), ErrorCode.InvalidEvent);
    await rejectedAgoraError(
      ledger.append(open(world.payer, { bond: idOf(world.bonds.provider) })),
      ErrorCode.InvalidEvent,
    );
    await rejectedAgoraError(
      ledger.append(open(world.payer, { bond: idOf(world.bonds.nonCustodial) })),
      ErrorCode.InvalidEvent,
    );
    await rejectedAgoraError(
      ledger.append(open(world.payer, { answerBy: T + 100 + 60 })),
      ErrorCode.InvalidEvent,
    );
    // An electorate fixed long before the opening would let the claimant choose a small one.
    await rejectedAgoraError(
      ledger.append(
        open(world.payer, {
          jurors: { ...world.electorate, asOf: T + 100 - DISPUTE_TERMS.maxElectorateAge - 1 },
        }),
      ),
      ErrorCode.InvalidEvent,
    );
    const tampered = structuredClone(world.opened) as LedgerEvent & { body: { claim: string } };
    tampered.body.claim = 'another claim';
    await rejectedAgoraError(ledger.append(tampered), ErrorCode.InvalidSignature);
    await ledger.close();
  });

  it('refuses an answer by anyone but the respondent, after the deadline, or with a smaller counter-bond', async () => {
    const ledger = await ledgerWith(verifier, [...world.base, world.opened]);
    await rejectedAgoraError(ledger.append(answer(world.bonds.payer, world.payer)), ErrorCode.InvalidEvent);
    await rejectedAgoraError(
      ledger.append(answer(world.bonds.provider, world.provider, answerBy)),
      ErrorCode.InvalidEvent,
    );
    expect((await ledger.append(answer())).added).toBe(true);
    await ledger.close();
  });
});

describe('a dispute without an answer', () => {
  it('is lost by default once the deadline passes, its opening anchored in time: the claimant wins, its bond is released', async () => {
    const ledger = await ledgerWith(verifier, [...world.base, world.opened]);
    // The opening anchored in a block dated at its claimed time, the least answer period before its deadline.
    const anchors = anchoredAt(answerBy - DISPUTE_TERMS.minAnswerPeriod, idOf(world.opened));
    expect((await readDispute(ledger, idOf(world.opened), answerBy - 1, { anchors })).status).toBe(
      'answering',
    );
    // An answer anchored by 2 hours after the deadline still counts: until then nothing is final.
    const final = answerBy + HEADER_TIME_TOLERANCE;
    expect((await readDispute(ledger, idOf(world.opened), final - 1, { anchors })).status).toBe('answering');
    // Without its anchor nobody has lost it: the claimed times alone decide nothing.
    expect(await readDispute(ledger, idOf(world.opened), answerBy)).toMatchObject({ status: 'unanchored' });
    expect(await disputeLosses(ledger, answerBy)).toEqual([]);
    const view = await readDispute(ledger, idOf(world.opened), final, { anchors });
    expect(view).toMatchObject({ status: 'decided', winner: 'claimant', byDefault: true });
    expect(settlement(view)).toEqual([
      expect.objectContaining({ lock: idOf(world.bonds.payer), action: 'release', staker: world.payer.id }),
    ]);
    // The provider's loss feeds a standing rule: one loss within 30 days blacklists it, no proposal naming it.
    const losses = await disputeLosses(ledger, final, { anchors });
    expect(losses).toEqual([{ agent: world.provider.id, dispute: idOf(world.opened), at: final }]);
    const install: ProposalAction = {
      type: 'rule.install',
      rule: { kind: 'blacklist-dispute-losers', losses: 1, days: 30 },
    };
    const ruled = new GovernedState(
      [
        {
          id: '01',
          proposal: { actions: [install], window: { opens: T, closes: T + 10 } } as unknown as ProposalBody,
          outcome: { state: 'succeeded', quorumReached: true, winner: 'for' },
        },
      ],
      { now: final, facts: { losses } },
    );
    expect(ruled.has(world.provider.id)).toBe(true);
    expect(ruled.has(world.payer.id)).toBe(false);
    expect(await disputeLosses(ledger, final - 1, { anchors })).toEqual([]);
    // The upheld claim weighs in reputation: the payer's trust in the provider (its rating of the receipt, given
    // before it fell out with it) is wiped out, once the loss is final.
    await ledger.append(rateReceipt(world.payer, idOf(world.receipt), 2, { clock: at(T + 21) }));
    const plain = (await Reputation.fromLedger(ledger)).score(world.provider.id);
    expect((await reputationWithDisputes(ledger, final - 1, { anchors })).score(world.provider.id)).toBe(
      plain,
    );
    expect((await reputationWithDisputes(ledger, answerBy)).score(world.provider.id)).toBe(plain);
    expect((await reputationWithDisputes(ledger, final, { anchors })).score(world.provider.id)).toBeLessThan(
      plain,
    );
    await ledger.close();
  });
});

describe('a dispute decided by its panel', () => {
  let ledger: Ledger;
  let drawn: LedgerEvent;
  let sealed: Awaited<ReturnType<typeof vote>>;

  beforeAll(async () => {
    ledger = await ledgerWith(verifier, [...world.base, world.opened, answer()]);
    drawn = await draw(ledger, 0, 1);
    await ledger.append(drawn);
    sealed = await vote(ledger, 0, ['upheld', 'upheld', 'rejected', 'upheld', 'rejected']);
    for (const event of [...sealed.votes, ...sealed.reveals]) await ledger.append(event);
  }, 120_000);
  afterAll(() => ledger.close());

  it('draws the panel anyone recomputes from the block hash, never a party', async () => {
    const view = await readDispute(ledger, idOf(world.opened), round0.votesOpen);
    const round = view.rounds[0];
    expect(round?.panel).toEqual((drawn.body as { panel: string[] }).panel);
    expect(round?.panel).toHaveLength(5);
    expect(round?.panel).not.toContain(world.payer.id);
    expect(round?.panel).not.toContain(world.provider.id);
    expect(round?.refusedDraws).toEqual([]);
    // Another block draws another panel.
    expect(await drawFor(ledger, idOf(world.opened), 0, regtestHeader(2))).not.toEqual(round?.panel);
  });

  it('shows no tally while voting, counts the revealed majority after, and settles the loser bond', async () => {
    const voting = await readDispute(ledger, idOf(world.opened), round0.votesClose - 1);
    expect(voting.status).toBe('voting');
    expect(voting.rounds[0]?.outcome).toBeUndefined();
    const view = await readDispute(ledger, idOf(world.opened), round0.appealsClose);
    expect(view).toMatchObject({ status: 'decided', winner: 'claimant', byDefault: false });
    expect(view.rounds[0]).toMatchObject({ votes: 5, upheld: 3, rejected: 2, absent: 0, outcome: 'upheld' });
    const instructions = settlement(view) ?? [];
    const settled = instructions.find((i) => i.action === 'settle');
    expect(settled?.lock).toBe(idOf(world.bonds.provider));
    // Half of the 2,000 sats to the three majority jurors' payout keys (333 each), the rest to the payer.
    const majority = sealed.sealed.filter((s) => s.choice === 'upheld').map((s) => s.payoutKey.id);
    expect(settled?.payouts).toHaveLength(4);
    expect(settled?.payouts).toEqual(
      expect.arrayContaining([
        ...majority.map((to) => ({ to, sat: 333n })),
        { to: world.payer.id, sat: 2_000n - 999n },
      ]),
    );
    expect(instructions.find((i) => i.action === 'release')?.lock).toBe(idOf(world.bonds.payer));
  });

  it('counts one vote per juror: a second vote with the same nullifier is stored, never counted', async () => {
    const again = await vote(ledger, 0, ['rejected']);
    await ledger.append(again.votes[0] as LedgerEvent);
    const view = await readDispute(ledger, idOf(world.opened), round0.appealsClose);
    // One vote per nullifier, the lowest id, as every replica picks it: the unrevealed second vote replaces the
    // first only when its id is lower, and then the first's reveal no longer counts.
    const replaced = idOf(again.votes[0] as LedgerEvent) < idOf(sealed.votes[0] as LedgerEvent);
    expect(view.rounds[0]).toMatchObject({ votes: 5, upheld: replaced ? 2 : 3, rejected: 2 });
  });

  it('refuses a manipulated draw: its panel is not the one the block draws, and its votes never count', async () => {
    const honest = (drawn.body as { panel: string[] }).panel;
    // A draw that swaps one juror for the claimant's friend (a juror outside the panel).
    const friend = world.jurors.find((j) => !honest.includes(j.id)) as AgentKey;
    const forged = createDisputeDrawn(
      world.payer,
      { ...(drawn.body as unknown as DisputeDrawnBody), panel: [friend.id, ...honest.slice(1)] },
      { clock: at(answerBy + 2) },
    );
    await ledger.append(forged);
    const view = await readDispute(ledger, idOf(world.opened), round0.appealsClose);
    expect(view.rounds[0]?.refusedDraws.map((r) => r.id)).toEqual([idOf(forged)]);
    expect(view.rounds[0]?.panel).toEqual(honest);
  });

  it('refuses a vote whose proof was tampered with', async () => {
    const tampered = structuredClone(sealed.votes[0]) as LedgerEvent & { body: { commitment: string } };
    tampered.body.commitment = 'ab'.repeat(32);
    await rejectedAgoraError(ledger.append(tampered), ErrorCode.InvalidProof);
  });

  it('refuses a reveal before voting closed, or one that does not open the sealed ballot', async () => {
    const s = sealed.sealed[0];
    if (s === undefined) throw new Error('no sealed vote');
    const early = revealJurorVote(s, { clock: at(round0.votesClose - 1) });
    await rejectedAgoraError(ledger.append(early), ErrorCode.InvalidEvent);
    const flipped = revealJurorVote(
      { ...s, choice: s.choice === 'upheld' ? 'rejected' : 'upheld' },
      {
        clock: at(round0.votesClose + 6),
      },
    );
    await rejectedAgoraError(ledger.append(flipped), ErrorCode.InvalidEvent);
  });
});

describe('an appealed dispute', () => {
  it('draws 2n+1 new jurors for the appeal, against a larger bond from the loser only', async () => {
    const ledger = await ledgerWith(verifier, [...world.base, world.opened, answer()]);
    await ledger.append(await draw(ledger, 0, 3));
    const { votes, reveals } = await vote(ledger, 0, ['upheld', 'upheld', 'upheld']);
    for (const event of [...votes, ...reveals]) await ledger.append(event);
    const appeal = (key: AgentKey, bond: LedgerEvent, created = round0.revealsClose + 10) =>
      createDisputeAppealed(
        key,
        { dispute: idOf(world.opened), round: 1, bond: idOf(bond), seedHeight: 900_100 },
        {
          clock: at(created),
        },
      );
    // Too small a bond (the opening's 2,000 x 2 is the least), too late.
    await rejectedAgoraError(
      ledger.append(appeal(world.provider, world.bonds.provider)),
      ErrorCode.InvalidEvent,
    );
    await rejectedAgoraError(
      ledger.append(appeal(world.provider, world.bonds.providerAppeal, round0.appealsClose)),
      ErrorCode.InvalidEvent,
    );
    // The winner's appeal is stored and never counted.
    await ledger.append(appeal(world.payer, world.bonds.payerAppeal));
    expect((await readDispute(ledger, idOf(world.opened), round0.appealsClose)).status).toBe('decided');
    const counted = appeal(world.provider, world.bonds.providerAppeal);
    await ledger.append(counted);
    expect((await readDispute(ledger, idOf(world.opened), round0.appealsClose)).status).toBe('drawing');
    await ledger.append(await draw(ledger, 1, 4, idOf(counted)));
    const view = await readDispute(ledger, idOf(world.opened), roundTimes(answerBy, 1).appealsClose);
    const [first, second] = view.rounds;
    expect(second?.panel).toHaveLength(11);
    expect(second?.panel?.filter((j) => first?.panel?.includes(j))).toEqual([]);
    // Nobody voted in the appeal: the claim is not proved there, the respondent wins and takes both payer bonds.
    expect(view).toMatchObject({ status: 'decided', winner: 'respondent' });
    expect(view.appeals.map((a) => a.id)).toEqual([idOf(counted)]);
    const instructions = settlement(view) ?? [];
    expect(instructions.filter((i) => i.action === 'settle').map((i) => i.lock)).toEqual([
      idOf(world.bonds.payer),
    ]);
    expect(
      instructions
        .filter((i) => i.action === 'release')
        .map((i) => i.lock)
        .sort(),
    ).toEqual([idOf(world.bonds.provider), idOf(world.bonds.providerAppeal)].sort());
    await ledger.close();
  }, 120_000);
  it('counts the earliest of several appeals by the loser without witnesses, whatever their ids', async () => {
    const second = custodialLock(world, world.provider, 4_000, T + 60, 'a second appeal bond');
    const ledger = await ledgerWith(verifier, [...world.base, second, world.opened, answer()]);
    await ledger.append(await draw(ledger, 0, 3));
    const { votes, reveals } = await vote(ledger, 0, ['upheld', 'upheld', 'upheld']);
    for (const event of [...votes, ...reveals]) await ledger.append(event);
    const appeal = (bond: LedgerEvent, created: number, seedHeight: number) =>
      createDisputeAppealed(
        world.provider,
        { dispute: idOf(world.opened), round: 1, bond: idOf(bond), seedHeight },
        { clock: at(created) },
      );
    const first = appeal(world.bonds.providerAppeal, round0.revealsClose + 10, 900_100);
    // A later appeal of the same round, ground for an id below the first's.
    let later = appeal(second, round0.revealsClose + 600, 900_200);
    for (let k = 1; idOf(later) > idOf(first); k++)
      later = appeal(second, round0.revealsClose + 600 + k, 900_200);
    for (const event of [later, first]) await ledger.append(event);
    const drawing = await readDispute(ledger, idOf(world.opened), round0.appealsClose);
    expect(drawing.status).toBe('drawing');
    expect(drawing.appeals.map((a) => a.id)).toEqual([idOf(first)]);
    expect(drawing.rounds[1]).toMatchObject({ openedBy: idOf(first), seedHeight: 900_100 });
    // The later appeal counts for nothing: decided, its bond gets no instruction (its hold lapses back).
    await ledger.append(await draw(ledger, 1, 4, idOf(first)));
    const view = await readDispute(ledger, idOf(world.opened), roundTimes(answerBy, 1).appealsClose);
    expect(view).toMatchObject({ status: 'decided', winner: 'respondent' });
    expect(view.appeals.map((a) => a.id)).toEqual([idOf(first)]);
    expect((settlement(view) ?? []).map((i) => i.lock)).not.toContain(idOf(second));
    await ledger.close();
  }, 120_000);
});
