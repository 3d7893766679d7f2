import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isAgoraError, ManualClock, toHex } from '../../src/core/index.js';
import { generateAgentKey, objectId } from '../../src/identity/index.js';
import { EventRegistry, Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { paymentHashOf } from '../../src/lightning/index.js';
import {
  createStakeLocked,
  createStakeReleased,
  createStakeSlashed,
  createStakeStatement,
  otherLockEndings,
  readLock,
  readStake,
  readStakes,
  type StakeRecord,
  type StakeStatementBody,
  stakeEventTypes,
  stakeWeights,
  verifyStakeStatement,
} from '../../src/stake/index.js';
import { rejectedAgoraError, thrownAgoraError } from '../helpers.js';

const NOW = 1_800_000_000;
const clock = new ManualClock(NOW * 1000);
const staker = generateAgentKey();
const custodian = generateAgentKey();
const preimage = '11'.repeat(32);
const statementBody: StakeStatementBody = {
  custodian: custodian.id,
  mode: 'custodial',
  paymentHash: paymentHashOf(preimage),
  amountSat: 40_000,
  until: NOW + 86_400,
  sequence: 3,
};
const statement = createStakeStatement(staker, statementBody, { clock });
const lock = createStakeLocked(custodian, { statement, expiryHeight: 900 }, { clock });
const lockId = toHex(objectId(lock as never));
const conflicting = createStakeStatement(
  staker,
  { ...statementBody, paymentHash: 'ee'.repeat(32) },
  { clock },
);

const newLedger = () => Ledger.fromLevel(new MemoryLevel(), { registry: new EventRegistry(stakeEventTypes) });

const flipLastHex = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;

describe('stake statements', () => {
  it('verify, and refuse a tampered body or signature', () => {
    expect(verifyStakeStatement(statement).staker).toBe(staker.id);
    const richer = { ...statement, body: { ...(statement.body as object), amountSat: 40_001 } };
    thrownAgoraError(() => verifyStakeStatement(richer), ErrorCode.InvalidSignature);
    thrownAgoraError(
      () => verifyStakeStatement({ ...statement, sig: flipLastHex(statement.sig) }),
      ErrorCode.InvalidSignature,
    );
    thrownAgoraError(
      () => createStakeStatement(staker, { ...statementBody, amountSat: 0 }),
      ErrorCode.InvalidArgument,
    );
  });

  it('give only typed errors on garbage', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          verifyStakeStatement(value);
          return false;
        } catch (error) {
          return isAgoraError(error);
        }
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(statementBody)), fc.jsonValue()), (patch) => {
        try {
          verifyStakeStatement({ ...statement, body: { ...statementBody, ...patch } });
          return Object.entries(patch).every(
            ([k, v]) => JSON.stringify(v) === JSON.stringify(statementBody[k as keyof StakeStatementBody]),
          );
        } catch (error) {
          return isAgoraError(error);
        }
      }),
    );
  });
});

describe('stake events in the ledger', () => {
  it('store a lock, its slashing and the weights they give', async () => {
    const ledger = await newLedger();
    await ledger.append(lock);
    const [stake] = await readStakes(ledger);
    expect(stakeWeights([stake as never], { asOf: NOW })).toEqual(new Map([[staker.id, 40_000n]]));
    clock.advance(10_000);
    await ledger.append(createStakeSlashed(custodian, { lock: lockId, preimage, conflicting }, { clock }));
    const [slashed] = await readStakes(ledger);
    expect(slashed?.ending?.kind).toBe('slashed');
    expect(stakeWeights([slashed as never], { asOf: NOW + 10 }).size).toBe(0);
    // Before the slashing the stake still weighed: snapshots are a function of time.
    expect(stakeWeights([slashed as never], { asOf: NOW + 5 }).get(staker.id)).toBe(40_000n);
  });

  it('refuse a lock attested by another custodian, a tampered statement, or one already over', async () => {
    const ledger = await newLedger();
    const other = generateAgentKey();
    await rejectedAgoraError(
      ledger.append(createStakeLocked(other, { statement, expiryHeight: 900 }, { clock })),
      ErrorCode.InvalidEvent,
    );
    const tampered = { ...statement, body: { ...statementBody, amountSat: 1_000_000 } };
    await rejectedAgoraError(
      ledger.append(createStakeLocked(custodian, { statement: tampered, expiryHeight: 900 }, { clock })),
      ErrorCode.InvalidSignature,
    );
    const late = new ManualClock((NOW + 86_400) * 1000);
    await rejectedAgoraError(
      ledger.append(createStakeLocked(custodian, { statement, expiryHeight: 900 }, { clock: late })),
      ErrorCode.InvalidEvent,
    );
    expect((await ledger.stats()).events).toBe(0);
  });

  it('make endings of unknown locks wait, refuse endings by others or with a bad reason', async () => {
    const ledger = await newLedger();
    const release = createStakeReleased(custodian, { lock: lockId, reason: 'released' }, { clock });
    await rejectedAgoraError(ledger.append(release), ErrorCode.MissingReference);
    await ledger.append(lock);
    await rejectedAgoraError(
      ledger.append(createStakeReleased(generateAgentKey(), { lock: lockId, reason: 'released' }, { clock })),
      ErrorCode.InvalidEvent,
    );
    await rejectedAgoraError(
      ledger.append(createStakeReleased(custodian, { lock: lockId, reason: 'whim' as never }, { clock })),
      ErrorCode.InvalidEvent,
    );
    await ledger.append(release);
  });

  it('refuse a slashing with a wrong preimage, no double-signing, or of a non-custodial stake', async () => {
    const ledger = await newLedger();
    await ledger.append(lock);
    const slash = (body: { preimage?: string; conflicting?: unknown; lock?: string }) =>
      ledger.append(
        createStakeSlashed(custodian, { lock: lockId, preimage, conflicting, ...body } as never, { clock }),
      );
    await rejectedAgoraError(slash({ preimage: '22'.repeat(32) }), ErrorCode.InvalidEvent);
    const otherSequence = createStakeStatement(staker, {
      ...statementBody,
      paymentHash: 'ee'.repeat(32),
      sequence: 4,
    });
    await rejectedAgoraError(slash({ conflicting: otherSequence }), ErrorCode.InvalidEvent);
    await rejectedAgoraError(slash({ conflicting: statement }), ErrorCode.InvalidEvent);
    const someoneElse = createStakeStatement(generateAgentKey(), {
      ...statementBody,
      paymentHash: 'ee'.repeat(32),
    });
    await rejectedAgoraError(slash({ conflicting: someoneElse }), ErrorCode.InvalidEvent);
    await rejectedAgoraError(
      slash({ conflicting: { ...conflicting, sig: flipLastHex(conflicting.sig) } }),
      ErrorCode.InvalidSignature,
    );

    // Its own payment: a second lock of one payment hash by one custodian is no stake (one payment, one stake).
    const nonCustodial = createStakeStatement(
      staker,
      { ...statementBody, mode: 'non-custodial', paymentHash: 'dd'.repeat(32), sequence: 9 },
      { clock },
    );
    const nonCustodialLock = createStakeLocked(
      custodian,
      { statement: nonCustodial, expiryHeight: 900 },
      { clock },
    );
    await ledger.append(nonCustodialLock);
    const twin = createStakeStatement(staker, {
      ...statementBody,
      mode: 'non-custodial',
      sequence: 9,
      amountSat: 1,
    });
    await rejectedAgoraError(
      slash({ lock: toHex(objectId(nonCustodialLock as never)), conflicting: twin }),
      ErrorCode.InvalidEvent,
    );
    await slash({});
  });

  it('give the same stakes whatever order two endings of one lock arrived in', async () => {
    const release = (seconds: number) =>
      createStakeReleased(
        custodian,
        { lock: lockId, reason: 'released' },
        { clock: new ManualClock((NOW + seconds) * 1000) },
      );
    const events: LedgerEvent[] = [release(100), release(50)];
    const a = await newLedger();
    const b = await newLedger();
    await a.append(lock);
    await b.append(lock);
    for (const event of events) await a.append(event);
    for (const event of [...events].reverse()) await b.append(event);
    const [stakeA] = await readStakes(a);
    expect(stakeA?.ending?.created).toBe(NOW + 50);
    expect(await readStakes(b)).toEqual(await readStakes(a));
  });

  /** Locks of the same custodian for the same payment (statements at these sequence offsets), sorted by id. */
  const rivalLocks = (offsets: readonly number[]) =>
    offsets
      .map((offset) =>
        createStakeLocked(
          custodian,
          {
            statement: createStakeStatement(
              staker,
              { ...statementBody, sequence: statementBody.sequence + offset },
              { clock },
            ),
            expiryHeight: 900,
          },
          { clock },
        ),
      )
      .map((event) => ({ event, id: toHex(objectId(event as never)) }))
      .sort((x, y) => (x.id < y.id ? -1 : 1)) as [Locked, Locked, Locked];

  it('read a lock with the lower-id rivals of its payment, whatever order they arrived in', async () => {
    // Two more locks of the same custodian for the same payment, sorted by id.
    const [low, mid, high] = rivalLocks([1, 2, 3]);
    const a = await newLedger();
    const b = await newLedger();
    // Every rival is stored, whatever the order: one at a time from the lowest id, and one batch in another order.
    for (const { event } of [low, mid, high]) await a.append(event);
    await b.appendBatch([mid.event, high.event, low.event]);
    for (const ledger of [a, b]) {
      expect(await readStake(ledger, high.id)).toBeUndefined();
      const stored = await readLock(ledger, high.id);
      expect(stored?.stake.id).toBe(high.id);
      expect(stored?.rivals).toEqual([low.id, mid.id]);
      expect((await readLock(ledger, low.id))?.rivals).toEqual([]);
      expect(await readLock(ledger, 'ab'.repeat(32))).toBeUndefined();
    }
  });

  it("read the endings of a payment's other locks, lower or higher id, never the lock's own", async () => {
    const [low, mid, high] = rivalLocks([4, 5, 6]);
    const ledger = await newLedger();
    await ledger.appendBatch([low.event, mid.event, high.event]);
    const released = (id: string, seconds: number) =>
      createStakeReleased(
        custodian,
        { lock: id, reason: 'released' },
        { clock: new ManualClock((NOW + seconds) * 1000) },
      );
    const middle = (await readLock(ledger, mid.id))?.stake as StakeRecord;
    expect(await otherLockEndings(ledger, middle)).toEqual([]);
    await ledger.append(released(mid.id, 10));
    expect(await otherLockEndings(ledger, middle)).toEqual([]);
    const [fromHigh, fromLow] = [released(high.id, 20), released(low.id, 30)];
    await ledger.appendBatch([fromLow, fromHigh]);
    expect((await otherLockEndings(ledger, middle)).map((ending) => ending.id)).toEqual(
      [fromHigh, fromLow].map((event) => toHex(objectId(event as never))),
    );
    // A lock of another payment shares none of them.
    const other = createStakeLocked(
      custodian,
      {
        statement: createStakeStatement(
          staker,
          { ...statementBody, paymentHash: 'dd'.repeat(32) },
          { clock },
        ),
        expiryHeight: 900,
      },
      { clock },
    );
    await ledger.append(other);
    const alone = (await readStake(ledger, toHex(objectId(other as never)))) as StakeRecord;
    expect(alone.statement.paymentHash).toBe('dd'.repeat(32));
    expect(await otherLockEndings(ledger, alone)).toEqual([]);
  });
});

type Locked = { event: LedgerEvent; id: string };
