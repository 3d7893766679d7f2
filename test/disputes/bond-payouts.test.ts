// A dispute's bonds moved by a real custodian on the simulated Lightning network: the ledger says what is owed
// (bondProgress), the custodian carries it out (settleDisputeBonds: releases and settlements recorded as signed
// events), each payee claims its share with a signed invoice (payShare), and a payment cut off by a crash is sent
// again on recovery without paying twice. The panel sits but nobody votes: the claim is not proved, the provider
// wins, and the absent jurors' custodial stakes pay their penalty.
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode, ManualClock, toHex } from '../../src/core/index.js';
import { bondProgress, readDispute, settleDisputeBonds } from '../../src/disputes/index.js';
import { type AgentKey, generateAgentKey, objectId } from '../../src/identity/index.js';
import { Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import type { LightningBackend } from '../../src/lightning/index.js';
import {
  checkShares,
  createShareClaim,
  createStakePaid,
  createStakeSettled,
  readStake,
  StakeCustodian,
  type StakeSettledBody,
} from '../../src/stake/index.js';
import { panelVerifier } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';
import { bondedDispute, bondedNetwork } from './bonded-dispute.js';
import { disputeRegistry, T } from './fixture.js';

const idOf = (event: LedgerEvent) => toHex(objectId(event as never));
const clock = new ManualClock(T * 1000);
const { custodianNode, payerNode, providerNode, jurors } = bondedNetwork(clock, 'bond-payouts');
const [payer, provider, custodianKey] = [generateAgentKey(), generateAgentKey(), generateAgentKey()];

let ledger: Ledger;
let custodian: StakeCustodian;
let dispute: string;
let final: number;
const bonds: { payer?: string; provider?: string } = {};

beforeAll(async () => {
  ledger = await Ledger.fromLevel(new MemoryLevel(), {
    registry: disputeRegistry(await panelVerifier()),
  });
  custodian = await StakeCustodian.open({ key: custodianKey, backend: custodianNode, ledger, clock });
  const made = await bondedDispute(
    {
      ledger,
      clock,
      custodian,
      custodianKey,
      payer: { key: payer, node: payerNode },
      provider: { key: provider, node: providerNode },
      jurors,
    },
    T,
  );
  ({ dispute, final } = made);
  bonds.payer = made.bonds.payer;
  bonds.provider = made.bonds.provider;
}, 120_000);

afterAll(async () => {
  await ledger.close();
});

/** A juror drawn on the panel (absent, so its stake was settled), by its place among the penalized. */
const drawnJuror = async (place: number) => {
  const progress = await bondProgress(ledger, await readDispute(ledger, dispute, final));
  const penalized = progress.filter(
    (p) => p.instruction.staker !== payer.id && p.instruction.action === 'settle',
  );
  const lock = penalized[place]?.instruction as { lock: string; staker: string };
  return {
    ...(jurors.find(({ key }) => key.id === lock.staker) as (typeof jurors)[number]),
    lock: lock.lock,
  };
};

const settlementOf = async (lockId: string) => {
  const ending = (await readStake(ledger, lockId))?.ending;
  return (await ledger.get(ending?.id as string))?.event as LedgerEvent;
};

describe("a final dispute's bonds, moved by the custodian", () => {
  it('are owed as the ledger says, then carried out once: released, settled with their shares', async () => {
    const view = await readDispute(ledger, dispute, final);
    expect([view.status, view.winner]).toEqual(['decided', 'respondent']);
    expect((await bondProgress(ledger, view)).map((p) => p.status)).toEqual(Array(7).fill('owed'));
    const { recorded, refused } = await settleDisputeBonds(custodian, ledger, dispute, final);
    expect(refused).toEqual([]);
    expect(recorded.map((event) => event.type).sort()).toEqual([
      'stake.released',
      ...Array(6).fill('stake.settled'),
    ]);
    const progress = await bondProgress(ledger, view);
    expect(progress.map((p) => p.status)).toEqual(Array(7).fill('done'));
    // The loser's bond goes to the winner whole (no juror revealed a majority vote); the provider's comes back.
    const payerBond = progress.find((p) => p.instruction.lock === bonds.payer);
    expect(payerBond?.shares).toEqual([{ to: provider.id, sat: 2_000n, paid: false }]);
    expect((await readStake(ledger, bonds.provider as string))?.ending?.kind).toBe('released');
    // Each absent juror keeps 99 % of its stake; 1 % goes to the winner.
    const penalties = progress.filter(
      (p) => p.instruction.staker !== payer.id && p.instruction.action === 'settle',
    );
    expect(penalties).toHaveLength(5);
    for (const p of penalties)
      expect(p.shares.map((s) => [s.to, s.sat])).toEqual([
        [p.instruction.staker, 9_900n],
        [provider.id, 100n],
      ]);
    expect(await settleDisputeBonds(custodian, ledger, dispute, final)).toEqual({
      recorded: [],
      refused: [],
    });
  });

  it("pays each share to its payee's signed invoice, once", async () => {
    const settlement = idOf(await settlementOf(bonds.payer as string));
    const invoice = await providerNode.createInvoice({ amountMsat: 2_000_000 });
    const before = (await providerNode.balance()).spendableMsat;
    const claim = createShareClaim(
      provider,
      { settlement, paymentRequest: invoice.paymentRequest },
      { clock },
    );
    const paid = await custodian.payShare(claim);
    expect(paid.type).toBe('stake.paid');
    expect((await providerNode.balance()).spendableMsat - before).toBe(2_000_000);
    expect(idOf(await custodian.payShare(claim))).toBe(idOf(paid));
    const view = await readDispute(ledger, dispute, final);
    const progress = await bondProgress(ledger, view);
    expect(progress.find((p) => p.instruction.lock === bonds.payer)?.shares[0]?.paid).toBe(true);
  });

  it('refuses a claim by anyone the settlement does not owe, a wrong amount and a forged signature', async () => {
    const settlement = idOf(await settlementOf(bonds.payer as string));
    const invoice = await payerNode.createInvoice({ amountMsat: 2_000_000 });
    await rejectedAgoraError(
      custodian.payShare(
        createShareClaim(payer, { settlement, paymentRequest: invoice.paymentRequest }, { clock }),
      ),
      ErrorCode.NotFound,
    );
    const juror = await drawnJuror(0);
    const jurorSettlement = idOf(await settlementOf(juror.lock));
    const short = await juror.node.createInvoice({ amountMsat: 9_899_000 });
    await rejectedAgoraError(
      custodian.payShare(
        createShareClaim(
          juror.key,
          { settlement: jurorSettlement, paymentRequest: short.paymentRequest },
          { clock },
        ),
      ),
      ErrorCode.InvalidArgument,
    );
    const forged = {
      ...createShareClaim(
        juror.key,
        { settlement: jurorSettlement, paymentRequest: short.paymentRequest },
        { clock },
      ),
      author: provider.id,
    };
    await rejectedAgoraError(custodian.payShare(forged), ErrorCode.InvalidSignature);
  });

  it('sends a payment cut off by a crash again on recovery, paying it once', async () => {
    const juror = await drawnJuror(1);
    const lockId = juror.lock;
    const settled = await settlementOf(lockId);
    const share = (settled.body as unknown as StakeSettledBody).shares.find((s) => s.to === juror.key.id);
    const invoice = await juror.node.createInvoice({ amountMsat: Number(share?.sat) * 1000 });
    // The node pays, then the connection drops before the custodian hears back.
    const flaky = new Proxy(custodianNode, {
      get(target, property) {
        if (property === 'payInvoice')
          return async (request: string) => {
            await target.payInvoice(request);
            throw new AgoraError(ErrorCode.BackendUnreachable, 'connection lost');
          };
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as LightningBackend;
    const crashing = await StakeCustodian.open({ key: custodianKey, backend: flaky, ledger, clock });
    const before = (await juror.node.balance()).spendableMsat;
    const claim = createShareClaim(
      juror.key,
      { settlement: idOf(settled), paymentRequest: invoice.paymentRequest },
      { clock },
    );
    await rejectedAgoraError(crashing.payShare(claim), ErrorCode.BackendUnreachable);
    await StakeCustodian.open({ key: custodianKey, backend: custodianNode, ledger, clock });
    const after = await bondProgress(ledger, await readDispute(ledger, dispute, final));
    expect(
      after.find((p) => p.instruction.lock === lockId)?.shares.find((s) => s.to === juror.key.id)?.paid,
    ).toBe(true);
    expect((await juror.node.balance()).spendableMsat - before).toBe(Number(share?.sat) * 1000);
  });

  it('refuses forged settlements and payments on ingest', async () => {
    const settled = await settlementOf(bonds.payer as string);
    const body = settled.body as unknown as StakeSettledBody;
    const forge = (key: AgentKey, changes: Partial<StakeSettledBody>) =>
      ledger.append(createStakeSettled(key, { ...body, ...changes }, { clock }));
    await rejectedAgoraError(forge(payer, {}), ErrorCode.InvalidEvent);
    await rejectedAgoraError(forge(custodianKey, { preimage: '00'.repeat(32) }), ErrorCode.InvalidEvent);
    await rejectedAgoraError(
      forge(custodianKey, { shares: [{ to: provider.id, sat: '1999' }] }),
      ErrorCode.InvalidEvent,
    );
    await rejectedAgoraError(
      forge(custodianKey, {
        shares: [
          { to: provider.id, sat: '1000' },
          { to: provider.id, sat: '1000' },
        ],
      }),
      ErrorCode.InvalidEvent,
    );
    const pay = (key: AgentKey, to: string, sat: string) =>
      ledger.append(
        createStakePaid(key, { settlement: idOf(settled), to, sat, paymentHash: '11'.repeat(32) }, { clock }),
      );
    await rejectedAgoraError(pay(custodianKey, provider.id, '2001'), ErrorCode.InvalidEvent);
    await rejectedAgoraError(pay(custodianKey, payer.id, '2000'), ErrorCode.InvalidEvent);
    await rejectedAgoraError(pay(payer, provider.id, '2000'), ErrorCode.InvalidEvent);
  });

  it('takes only well-formed shares adding up to the stake (property)', () => {
    const id = fc.constantFrom('aa'.repeat(32), 'bb'.repeat(32), 'cc'.repeat(32));
    const share = fc.record({
      to: fc.oneof(id, fc.string()),
      sat: fc.oneof(fc.bigInt({ min: -5n, max: 3_000n }).map(String), fc.string()),
    });
    fc.assert(
      fc.property(fc.oneof(fc.array(share, { maxLength: 4 }), fc.anything()), (shares) => {
        const fail = (message: string): never => {
          throw new AgoraError(ErrorCode.InvalidEvent, message);
        };
        let accepted = true;
        try {
          checkShares(shares, 2_000n, fail);
        } catch (error) {
          expect((error as AgoraError).code).toBe(ErrorCode.InvalidEvent);
          accepted = false;
        }
        const list = shares as { to: string; sat: string }[];
        const valid =
          Array.isArray(list) &&
          list.length > 0 &&
          list.length <= 32 &&
          list.every(
            (s) =>
              typeof s === 'object' &&
              s !== null &&
              !Array.isArray(s) &&
              Object.keys(s).sort().join() === 'sat,to' &&
              typeof s.to === 'string' &&
              /^[0-9a-f]{64}$/.test(s.to) &&
              typeof s.sat === 'string' &&
              /^[1-9][0-9]*$/.test(s.sat),
          ) &&
          new Set(list.map((s) => s.to)).size === list.length &&
          list.reduce((sum, s) => sum + BigInt(s.sat), 0n) === 2_000n;
        expect(accepted).toBe(valid);
      }),
      { numRuns: 300 },
    );
  });
});
