import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock, toHex, unixSeconds } from '../../src/core/index.js';
import { generateAgentKey, objectId } from '../../src/identity/index.js';
import { EventRegistry, Ledger } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import {
  createStakeLocked,
  createStakeOffer,
  createStakeStatement,
  lockStake,
  readStake,
  readStakes,
  StakeCustodian,
  stakeCustodianHandler,
  stakeEventTypes,
  stakeWeights,
} from '../../src/stake/index.js';
import { rejectedAgoraError } from '../helpers.js';

const DAY = 86_400;
const newLedger = () => Ledger.fromLevel(new MemoryLevel(), { registry: new EventRegistry(stakeEventTypes) });

describe("attack: a stake custodian made to attest someone else's payment", () => {
  it("refuses an offer and an accept for a payment hash another staker holds, and never cancels the victim's hold", async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const network = new SimNetwork({ clock });
    const victimNode = network.createNode('victim');
    const hub = network.createNode('hub');
    const custodianNode = network.createNode('custodian');
    network.openChannel(victimNode, hub, { capacitySat: 1_000_000 });
    network.openChannel(hub, custodianNode, { capacitySat: 1_000_000 });
    const db = new MemoryLevel();
    const ledger = await Ledger.fromLevel(db as never, { registry: new EventRegistry(stakeEventTypes) });
    const custodianKey = generateAgentKey();
    const open = () => StakeCustodian.open({ key: custodianKey, backend: custodianNode, ledger, clock });
    let custodian = await open();
    const victim = generateAgentKey();
    const attacker = generateAgentKey();
    const now = unixSeconds(clock);
    const stake = await lockStake({
      key: victim,
      backend: victimNode,
      custodian,
      amountSat: 50_000,
      until: now + 10 * DAY,
      sequence: 0,
      clock,
    });
    const paymentHash = (stake.lock.body as { statement: { body: { paymentHash: string } } }).statement.body
      .paymentHash;
    const terms = { amountSat: 50_000, mode: 'non-custodial' as const, until: now + 3_600 };

    // The attacker asks for an invoice on the victim's payment hash: refused, and nothing is kept of it.
    const offer = createStakeOffer(
      attacker,
      { custodian: custodianKey.id, paymentHash, expires: now + 300, ...terms },
      { clock },
    );
    await rejectedAgoraError(custodian.offer(offer), ErrorCode.AlreadyExists);
    // The same over HTTP, and the unsigned request of old: refused with the error's code.
    const handle = stakeCustodianHandler(custodian);
    const post = async (body: unknown) => {
      const response = await handle(
        new Request('http://custodian/v1/stake/offer', { method: 'POST', body: JSON.stringify(body) }),
      );
      return {
        status: response.status,
        code: ((await response.json()) as { error: { code: string } }).error.code,
      };
    };
    expect(await post({ offer })).toEqual({ status: 409, code: ErrorCode.AlreadyExists });
    expect(await post({ staker: attacker.id, paymentHash, ...terms })).toEqual({
      status: 400,
      code: ErrorCode.InvalidArgument,
    });
    // A restart in between must not cancel the victim's hold either.
    custodian = await open();
    expect((await victimNode.balance()).inFlightMsat).toBeGreaterThanOrEqual(50_000_000);
    // The attacker's statement over the victim's payment finds no offer to attest.
    const statement = createStakeStatement(
      attacker,
      { custodian: custodianKey.id, paymentHash, sequence: 0, ...terms },
      { clock },
    );
    await rejectedAgoraError(custodian.accept(statement), ErrorCode.NotFound);
    expect(stakeWeights(await readStakes(ledger), { asOf: now }).get(attacker.id)).toBeUndefined();

    // An hour later: the attacker's stake (had it been attested) would be due; the victim's stays locked.
    clock.advance(2 * 3_600_000);
    expect(await custodian.releaseDue()).toEqual([]);
    expect(await custodian.sync()).toEqual([]);
    const [record] = await readStakes(ledger);
    expect(record?.id).toBe(stake.lockId);
    expect(record?.ending).toBeUndefined();
    expect((await victimNode.balance()).inFlightMsat).toBeGreaterThanOrEqual(50_000_000);
    await ledger.close();
  });

  it('keeps one stake.locked per custodian and payment hash, the same one whatever the arrival order', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const custodian = generateAgentKey();
    const paymentHash = 'ab'.repeat(32);
    const until = unixSeconds(clock) + DAY;
    const locks = [generateAgentKey(), generateAgentKey()].map((staker) =>
      createStakeLocked(
        custodian,
        {
          statement: createStakeStatement(
            staker,
            {
              custodian: custodian.id,
              mode: 'non-custodial',
              paymentHash,
              amountSat: 1_000,
              until,
              sequence: 0,
            },
            { clock },
          ),
          expiryHeight: 900,
        },
        { clock },
      ),
    );
    const ids = locks.map((lock) => toHex(objectId(lock as never)));
    const first = (ids[0] as string) < (ids[1] as string) ? 0 : 1;
    const [low, high] = first === 0 ? locks : [locks[1], locks[0]];
    const lowId = ids[first] as string;

    // The lower id first: the other is stored too, as evidence of the custodian's equivocation, and never counts.
    const a = await newLedger();
    await a.append(low);
    await a.append(high);
    // The higher id first: the lower gets in (refusing either would let arrival order decide), and wins.
    const b = await newLedger();
    await b.append(high);
    await b.append(low);
    // One batch holding both: the same verdict.
    const c = await newLedger();
    await c.appendBatch([high, low]);

    for (const ledger of [a, b, c]) {
      const stakes = await readStakes(ledger);
      expect(stakes.map((s) => s.id)).toEqual([lowId]);
      expect(await readStake(ledger, ids[1 - first] as string)).toBeUndefined();
      expect((await readStake(ledger, lowId))?.id).toBe(lowId);
      expect([...stakeWeights(stakes, { asOf: unixSeconds(clock) }).values()]).toEqual([1_000n]);
    }
    expect(await readStakes(b)).toEqual(await readStakes(a));
    expect(await readStakes(c)).toEqual(await readStakes(a));
    for (const ledger of [a, b, c]) expect(ledger.stats().events).toBe(2);
  });
});
