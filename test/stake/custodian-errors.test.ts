import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode, ManualClock, unixSeconds } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { EventRegistry, Ledger } from '../../src/ledger/index.js';
import { type LightningBackend, SimNetwork } from '../../src/lightning/index.js';
import {
  createStakeOffer,
  createStakeStatement,
  readStakes,
  StakeCustodian,
  stakeEventTypes,
} from '../../src/stake/index.js';
import { rejectedAgoraError } from '../helpers.js';

const DAY = 86_400;

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the condition never held');
}

describe('a custodian whose wait for the payment fails unexpectedly', () => {
  for (const [label, failure] of [
    ['the node is unreachable', new AgoraError(ErrorCode.BackendUnreachable, 'invoice stream lost')],
    ['a defect throws', new TypeError('a bug in the subscription')],
  ] as const) {
    it(`keeps the offer when ${label}, and recovery attests the held payment`, async () => {
      const clock = new ManualClock(1_800_000_000_000);
      const network = new SimNetwork({ clock });
      const staker = network.createNode('staker');
      const hub = network.createNode('hub');
      const node = network.createNode('custodian');
      network.openChannel(staker, hub, { capacitySat: 1_000_000 });
      network.openChannel(hub, node, { capacitySat: 1_000_000 });
      const ledger = await Ledger.fromLevel(new MemoryLevel(), {
        registry: new EventRegistry(stakeEventTypes),
      });
      try {
        const [stakerKey, custodianKey] = [generateAgentKey(), generateAgentKey()];
        const broken = Object.create(node, {
          subscribeInvoice: {
            value: () =>
              (async function* () {
                yield* [];
                throw failure;
              })(),
          },
        }) as LightningBackend;
        const custodian = await StakeCustodian.open({ key: custodianKey, backend: broken, ledger, clock });
        const now = unixSeconds(clock);
        const terms = { custodian: custodianKey.id, amountSat: 10_000, until: now + DAY };
        const offer = await custodian.offer(
          createStakeOffer(stakerKey, { ...terms, mode: 'custodial', expires: now + 300 }, { clock }),
        );
        const statement = createStakeStatement(stakerKey, {
          ...terms,
          mode: 'custodial',
          paymentHash: offer.paymentHash,
          sequence: 0,
        });
        // The staker pays; the payment is held while the custodian cannot watch it.
        staker.payInvoice(offer.paymentRequest).catch(() => {});
        await until(async () => (await node.lookupInvoice(offer.paymentHash)).state === 'ACCEPTED');
        if (failure instanceof AgoraError)
          await rejectedAgoraError(custodian.accept(statement), ErrorCode.BackendUnreachable);
        else await expect(custodian.accept(statement)).rejects.toBe(failure);
        // Not taken for "no payment": the held payment is not canceled and the record stays...
        expect((await node.lookupInvoice(offer.paymentHash)).state).toBe('ACCEPTED');
        expect(await readStakes(ledger)).toEqual([]);
        // ...so a restart with a working node attests the lock.
        await StakeCustodian.open({ key: custodianKey, backend: node, ledger, clock });
        const stakes = await readStakes(ledger, { staker: stakerKey.id });
        expect(stakes.map((stake) => [stake.statement.amountSat, stake.statement.paymentHash])).toEqual([
          [10_000, offer.paymentHash],
        ]);
      } finally {
        await ledger.close();
      }
    });
  }
});
