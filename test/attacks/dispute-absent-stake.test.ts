// Fourth review of issue 20: the absent penalty (`absentPenalties`) and what else may name a juror's stake.
//   - A stake backs a bond when any dispute event names it (`backsABond`), whether that event counts or not, and
//     whenever it was made or published. An absent juror that is a party to any receipt (it paid some provider once)
//     dodges the penalty on its stake by signing, after the fact, a `dispute.opened` on that receipt naming the stake
//     as its bond: its own dispute need never go anywhere.
//   - A juror absent from two disputes has the same stake instructed twice: each dispute asks its custodian to settle
//     the whole stake with its own shares, for its own cause. Only one can be carried out: the other penalty is never
//     paid and that dispute's `bondProgress` shows the honest custodian as `deviates`.
// Fixed: a bond shields a stake only when committed before the round opened (published before, where witnesses show
// publication; without witnesses the claimed time is all there is), and a stake pays one penalty, its first.
import { describe, expect, it } from 'vitest';
import {
  absentJurors,
  absentPenalties,
  createDisputeAnswered,
  createDisputeDrawn,
  createDisputeOpened,
  type DisputeRound,
  drawFor,
  type ReadDisputeOptions,
  readDispute,
} from '../../src/disputes/index.js';
import type { AgentKey } from '../../src/identity/index.js';
import type { Ledger, LedgerEvent } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import {
  at,
  buildWorld,
  custodialLock,
  disputeFlow,
  idOf,
  ledgerWith,
  regtestHeader,
  T,
  type World,
} from '../disputes/fixture.js';
import { receiptAt } from '../fixtures/receipts.js';
import { reading, witnessAt, witnessedRound } from '../fixtures/witness.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

/** A custodial stake of `juror` locked at `created` (after the electorate's moment, so it leaves the draw alone). */
function jurorStake(world: World, juror: AgentKey, amountSat: number, created: number): LedgerEvent {
  return custodialLock(world, juror, amountSat, created, `absent stake ${juror.id} ${created}`);
}

/** The dispute read at `now` (after its last moment by default), with its absent jurors and penalties. */
async function penalized(
  ledger: Ledger,
  dispute: string,
  now = Number.MAX_SAFE_INTEGER,
  options: ReadDisputeOptions = {},
) {
  const view = await readDispute(ledger, dispute, now, options);
  expect(view.status).toBe('decided');
  return {
    absent: absentJurors(view.rounds[0] as DisputeRound),
    penalties: (await absentPenalties(ledger, view, options)) ?? [],
  };
}

describe("an absent juror's stake", () => {
  it('is not freed from the penalty by a dispute of the juror naming it as its bond', async () => {
    // Nobody votes: the whole panel is absent. The custodian is the network's witness.
    const { world, dispute, ledger, later } = await witnessedRound(verifier(), await panelProver(), []);
    try {
      const read = async () => penalized(ledger, dispute, later, await reading(ledger, later));
      const { absent } = await read();
      const juror = world.jurors.find((j) => j.id === absent[0]) as AgentKey;
      // The juror's larger stake, locked after the electorate's moment and before the round: 1 % of it is owed.
      const stake = jurorStake(world, juror, 100_000, T + 70);
      await ledger.append(stake);
      const owed = async () =>
        expect((await read()).penalties).toContainEqual(
          expect.objectContaining({ lock: idOf(stake), staker: juror.id, action: 'settle' }),
        );
      await owed();
      // Once the dispute is final, the provider the juror once paid has a receipt naming it (the same node as the
      // world's provider: the sim network is seeded), and the juror opens a dispute on it with the stake as bond.
      const node = new SimNetwork({ seed: 'disputes' }).createNode('provider-node');
      const receipt = await receiptAt(world.provider, node, juror, T + 30, 20_000);
      const dodge = createDisputeOpened(
        juror,
        { ...world.openedBody, receipt: idOf(receipt), bond: idOf(stake), claim: 'nothing, really' },
        { clock: at(T + 100) },
      );
      await ledger.appendBatch([receipt, dodge]);
      await witnessAt(ledger, world.custodian, later - 3_600);
      // The attack: the penalty on the stake is gone.
      await owed();
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('is not asked to be settled by two disputes at once', async () => {
    const world = await buildWorld({ verifier: verifier() });
    const prover = await panelProver();
    const first = await disputeFlow(world, prover, verifier(), [], 1, { extras: false });
    // A second dispute of the same payer on the same receipt, with its other bonds; nobody votes in either.
    const answerBy = T + 200 + 3_600;
    const opened = createDisputeOpened(
      world.payer,
      { ...world.openedBody, bond: idOf(world.bonds.payerAppeal), answerBy },
      { clock: at(T + 200) },
    );
    const second = idOf(opened);
    const answer = createDisputeAnswered(
      world.provider,
      { dispute: second, evidence: 'served it', bond: idOf(world.bonds.providerAppeal) },
      { clock: at(T + 300) },
    );
    const ledger = await ledgerWith(verifier(), [...world.base, world.opened, ...first, opened, answer]);
    try {
      const header = regtestHeader(2);
      const panel = await drawFor(ledger, second, 0, header);
      await ledger.append(
        createDisputeDrawn(
          world.custodian,
          { dispute: second, round: 0, appeal: null, header, panel },
          { clock: at(answerBy + 1) },
        ),
      );
      const a = await penalized(ledger, idOf(world.opened));
      const b = await penalized(ledger, second);
      // Five of eight jurors in each panel: at least two sat on both, absent both times.
      expect(a.absent.filter((juror) => b.absent.includes(juror)).length).toBeGreaterThanOrEqual(2);
      // The attack: the stakes of those jurors are instructed twice, each time settled whole, for another cause.
      const twice = a.penalties.filter((p) => b.penalties.some((q) => q.lock === p.lock));
      expect(twice.map((p) => p.staker)).toEqual([]);
      // Each such stake still pays its penalty once, to the first dispute whose reveals closed.
      const shared = a.absent.filter((juror) => b.absent.includes(juror));
      const once = [...a.penalties, ...b.penalties].filter((p) => shared.includes(p.staker));
      expect(once.length).toBeGreaterThanOrEqual(2);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
