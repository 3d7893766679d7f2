import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode, type ManualClock, unixSeconds } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { EventRegistry, Ledger } from '../../src/ledger/index.js';
import { type LightningBackend, paymentHashOf } from '../../src/lightning/index.js';
import {
  type CustodyMode,
  createStakeOffer,
  createStakeStatement,
  type LockedStake,
  lockStake,
  nextStakeSequence,
  readStakes,
  StakeCustodian,
  type StakeCustodianOptions,
  stakeEventTypes,
  stakeState,
  stakeWeights,
} from '../../src/stake/index.js';
import { rejectedAgoraError } from '../helpers.js';

/** A staker's node with a channel towards a custodian's node, on a network the test drives. */
export interface StakeWorld {
  readonly clock: ManualClock;
  readonly staker: LightningBackend;
  readonly custodian: LightningBackend;
  mineBlocks(count: number): Promise<void>;
  close(): Promise<void>;
}

const DAY = 86_400;

async function withWorld(
  factory: () => Promise<StakeWorld>,
  test: (parts: {
    world: StakeWorld;
    stakerKey: AgentKey;
    custodianKey: AgentKey;
    ledgerPath: string;
    openLedger(): Promise<Ledger>;
    /** The custodian on `ledger`, recovered as after a restart. */
    openCustodian(ledger: Ledger, options?: Partial<StakeCustodianOptions>): Promise<StakeCustodian>;
    /** The staker locks a stake with `custodian`. */
    lock(
      custodian: StakeCustodian,
      terms: { amountSat: number; until: number; sequence: number; mode?: CustodyMode },
    ): Promise<LockedStake>;
  }) => Promise<void>,
): Promise<void> {
  const world = await factory();
  const dir = await mkdtemp(join(tmpdir(), 'agora-stake-'));
  const ledgerPath = join(dir, 'ledger');
  const stakerKey = generateAgentKey();
  const custodianKey = generateAgentKey();
  try {
    await test({
      world,
      stakerKey,
      custodianKey,
      ledgerPath,
      openLedger: () => Ledger.open(ledgerPath, { registry: new EventRegistry(stakeEventTypes) }),
      openCustodian: (ledger, options = {}) =>
        StakeCustodian.open({
          key: custodianKey,
          backend: world.custodian,
          ledger,
          clock: world.clock,
          ...options,
        }),
      lock: (custodian, terms) =>
        lockStake({ key: stakerKey, backend: world.staker, custodian, clock: world.clock, ...terms }),
    });
  } finally {
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The stake lifecycle on one Lightning backend. */
export function stakeSuite(name: string, factory: () => Promise<StakeWorld>): void {
  describe(`stake on ${name}`, () => {
    it('locks a non-custodial stake through a held payment, weighs it, and releases it after `until`', async () => {
      await withWorld(factory, async ({ world, stakerKey, openLedger, openCustodian, lock }) => {
        const ledger = await openLedger();
        const custodian = await openCustodian(ledger);
        const now = unixSeconds(world.clock);
        const before = await world.staker.balance();
        const stake = await lock(custodian, {
          amountSat: 50_000,
          until: now + DAY,
          sequence: await nextStakeSequence(ledger, stakerKey.id),
        });
        // The sats are held in flight on the staker's side, not transferred.
        const during = await world.staker.balance();
        expect(during.inFlightMsat - before.inFlightMsat).toBeGreaterThanOrEqual(50_000_000);
        const [record] = await readStakes(ledger, { staker: stakerKey.id });
        expect(record?.id).toBe(stake.lockId);
        expect(stakeState(record as never, now)).toBe('locked');
        expect(stakeWeights([record as never], { asOf: now, lockedThrough: now + DAY })).toEqual(
          new Map([[stakerKey.id, 50_000n]]),
        );
        // A stake that may end before the vote closes does not weigh in it.
        expect(stakeWeights([record as never], { asOf: now, lockedThrough: now + DAY + 1 }).size).toBe(0);
        // Promised until tomorrow: no early release.
        await rejectedAgoraError(custodian.release(stake.lockId), ErrorCode.InvalidState);
        expect(await custodian.releaseDue()).toEqual([]);
        world.clock.advance(DAY * 1000);
        const [released] = await custodian.releaseDue();
        expect(released?.type).toBe('stake.released');
        expect(await stake.ended).toBe('returned');
        const after = await world.staker.balance();
        expect(after.inFlightMsat).toBe(before.inFlightMsat);
        expect(after.spendableMsat).toBe(before.spendableMsat);
        const [ended] = await readStakes(ledger, { staker: stakerKey.id });
        expect(stakeState(ended as never, unixSeconds(world.clock))).toBe('released');
        // Releasing twice is refused, and changes nothing.
        await rejectedAgoraError(custodian.release(stake.lockId), ErrorCode.InvalidState);
        await ledger.close();
      });
    });

    it('slashes a custodial stake whose staker double-signed, and refuses to slash without proof', async () => {
      await withWorld(
        factory,
        async ({ world, stakerKey, custodianKey, openLedger, openCustodian, lock }) => {
          const ledger = await openLedger();
          const custodian = await openCustodian(ledger);
          const now = unixSeconds(world.clock);
          const until = now + DAY;
          const stake = await lock(custodian, { amountSat: 30_000, until, mode: 'custodial', sequence: 7 });
          const statement = {
            custodian: custodianKey.id,
            mode: 'custodial' as const,
            amountSat: 30_000,
            until,
          };
          const innocent = createStakeStatement(stakerKey, {
            ...statement,
            paymentHash: 'ab'.repeat(32),
            sequence: 8,
          });
          await rejectedAgoraError(custodian.slash(stake.lockId, innocent), ErrorCode.InvalidArgument);
          const forged = {
            ...createStakeStatement(stakerKey, { ...statement, paymentHash: 'ab'.repeat(32), sequence: 7 }),
          };
          forged.sig = `${forged.sig.slice(0, -2)}${forged.sig.endsWith('00') ? '01' : '00'}`;
          await rejectedAgoraError(custodian.slash(stake.lockId, forged), ErrorCode.InvalidSignature);
          const conflicting = createStakeStatement(stakerKey, {
            ...statement,
            paymentHash: 'cd'.repeat(32),
            sequence: 7,
          });
          const slashed = await custodian.slash(stake.lockId, conflicting);
          expect(slashed.type).toBe('stake.slashed');
          expect(await stake.ended).toBe('slashed');
          const [record] = await readStakes(ledger);
          expect(stakeState(record as never, unixSeconds(world.clock))).toBe('slashed');
          expect(stakeWeights([record as never], { asOf: unixSeconds(world.clock) }).size).toBe(0);
          // Idempotent on the Lightning side, refused on the ledger side.
          await rejectedAgoraError(custodian.slash(stake.lockId, conflicting), ErrorCode.InvalidState);
          await ledger.close();
        },
      );
    });

    it('cannot slash a non-custodial stake: the custodian never knew the preimage', async () => {
      await withWorld(
        factory,
        async ({ world, stakerKey, custodianKey, openLedger, openCustodian, lock }) => {
          const ledger = await openLedger();
          const custodian = await openCustodian(ledger);
          const until = unixSeconds(world.clock) + DAY;
          const stake = await lock(custodian, { amountSat: 20_000, until, sequence: 0 });
          expect(stake.preimage).toMatch(/^[0-9a-f]{64}$/);
          const conflicting = createStakeStatement(stakerKey, {
            custodian: custodianKey.id,
            mode: 'non-custodial',
            paymentHash: 'cd'.repeat(32),
            amountSat: 20_000,
            until,
            sequence: 0,
          });
          await rejectedAgoraError(custodian.slash(stake.lockId, conflicting), ErrorCode.InvalidState);
          await ledger.close();
        },
      );
    });

    it('binds one payment to one offer: signed offers, known payment hashes refused with no side effect, bounded and expiring offers', async () => {
      await withWorld(factory, async ({ world, stakerKey, custodianKey, openLedger, openCustodian }) => {
        const ledger = await openLedger();
        const bounds = { maxOffersPerStaker: 2, maxOffers: 3 };
        let custodian = await openCustodian(ledger, bounds);
        const now = unixSeconds(world.clock);
        const terms = {
          custodian: custodianKey.id,
          amountSat: 10_000,
          until: now + DAY,
          expires: now + 300,
        };
        const nonCustodial = (key: AgentKey, paymentHash: string, more = {}) =>
          createStakeOffer(
            key,
            { ...terms, mode: 'non-custodial', paymentHash, ...more },
            { clock: world.clock },
          );
        const custodial = (key: AgentKey) =>
          createStakeOffer(key, { ...terms, mode: 'custodial' }, { clock: world.clock });
        const hash = (n: number) => paymentHashOf(n.toString(16).padStart(64, '0'));

        // Signed by the staker, for this custodian, usable for a short while only.
        const forged = { ...nonCustodial(stakerKey, hash(1)), author: generateAgentKey().id };
        await rejectedAgoraError(custodian.offer(forged), ErrorCode.InvalidSignature);
        await rejectedAgoraError(
          custodian.offer(nonCustodial(stakerKey, hash(1), { custodian: generateAgentKey().id })),
          ErrorCode.InvalidArgument,
        );
        await rejectedAgoraError(
          custodian.offer(nonCustodial(stakerKey, hash(1), { expires: now })),
          ErrorCode.InvalidArgument,
        );
        await rejectedAgoraError(
          custodian.offer(nonCustodial(stakerKey, hash(1), { expires: now + 7 * DAY })),
          ErrorCode.InvalidArgument,
        );

        // An invoice the node holds already, for someone else: refused, and left as it was.
        const foreign = hash(2);
        await world.custodian.createHoldInvoice({
          paymentHash: foreign,
          amountMsat: 10_000_000,
          cltvExpiry: 200,
        });
        await rejectedAgoraError(custodian.offer(nonCustodial(stakerKey, foreign)), ErrorCode.AlreadyExists);
        const statementBody = {
          custodian: custodianKey.id,
          mode: 'non-custodial' as const,
          paymentHash: foreign,
          amountSat: 10_000,
          until: now + DAY,
          sequence: 0,
        };
        const statement = createStakeStatement(stakerKey, statementBody);
        await rejectedAgoraError(custodian.accept(statement), ErrorCode.NotFound);

        // One offer per payment hash, each signed offer used once, bounded per staker and in all.
        const first = nonCustodial(stakerKey, hash(3));
        const offered = await custodian.offer(first);
        expect(offered).toMatchObject({
          custodian: custodianKey.id,
          paymentHash: hash(3),
          expires: now + 300,
        });
        await rejectedAgoraError(custodian.offer(first), ErrorCode.AlreadyExists);
        const other = generateAgentKey();
        await rejectedAgoraError(custodian.offer(nonCustodial(other, hash(3))), ErrorCode.AlreadyExists);
        // Someone else's statement over an open offer's payment is no match.
        await rejectedAgoraError(
          custodian.accept(createStakeStatement(other, { ...statementBody, paymentHash: hash(3) })),
          ErrorCode.InvalidArgument,
        );
        const signedCustodial = custodial(stakerKey);
        const custodialOffer = await custodian.offer(signedCustodial);
        await rejectedAgoraError(custodian.offer(signedCustodial), ErrorCode.AlreadyExists);
        await rejectedAgoraError(custodian.offer(custodial(stakerKey)), ErrorCode.LimitReached);
        await custodian.offer(custodial(other));
        await rejectedAgoraError(custodian.offer(custodial(generateAgentKey())), ErrorCode.LimitReached);

        // A restart cancels the open offers' invoices (their stakers' calls failed with it), never the foreign one.
        await ledger.close();
        const reopened = await openLedger();
        custodian = await openCustodian(reopened, bounds);
        for (const { paymentHash } of [offered, custodialOffer])
          expect((await world.custodian.lookupInvoice(paymentHash)).state).toBe('CANCELED');
        expect((await world.custodian.lookupInvoice(foreign)).state).toBe('OPEN');

        // Offers expire: their invoices are canceled and their places freed.
        const late = await custodian.offer(custodial(stakerKey));
        expect(await custodian.expireOffers()).toEqual([]);
        world.clock.advance(301_000);
        expect(await custodian.expireOffers()).toEqual([late.paymentHash]);
        expect((await world.custodian.lookupInvoice(late.paymentHash)).state).toBe('CANCELED');
        const later = unixSeconds(world.clock);
        await custodian.offer(
          createStakeOffer(stakerKey, { ...terms, mode: 'custodial', expires: later + 300 }),
        );
        await custodian.offer(
          createStakeOffer(stakerKey, { ...terms, mode: 'custodial', expires: later + 60 }),
        );
        expect(await readStakes(reopened)).toEqual([]);
        await reopened.close();
      });
    });

    it('keeps an offer whose cancel failed, with a typed error, and cancels it on recovery', async () => {
      await withWorld(factory, async ({ world, stakerKey, custodianKey, openLedger, openCustodian }) => {
        const ledger = await openLedger();
        const down = new AgoraError(ErrorCode.BackendUnreachable, 'node offline');
        const flaky = Object.create(world.custodian, {
          cancelInvoice: { value: async () => Promise.reject(down) },
        }) as LightningBackend;
        const custodian = await openCustodian(ledger, { backend: flaky, acceptTimeoutMs: 200 });
        const now = unixSeconds(world.clock);
        const terms = { custodian: custodianKey.id, amountSat: 10_000, until: now + DAY };
        const offer = await custodian.offer(
          createStakeOffer(
            stakerKey,
            { ...terms, mode: 'custodial', expires: now + 300 },
            { clock: world.clock },
          ),
        );
        const statement = createStakeStatement(stakerKey, {
          ...terms,
          mode: 'custodial',
          paymentHash: offer.paymentHash,
          sequence: 0,
        });
        // Nobody pays: the wait times out, the cancel fails, and the error says so instead of being swallowed.
        await rejectedAgoraError(custodian.accept(statement), ErrorCode.BackendUnreachable);
        expect((await world.custodian.lookupInvoice(offer.paymentHash)).state).toBe('OPEN');
        // The record was kept: a restart with the node back cancels the invoice.
        await openCustodian(ledger);
        expect((await world.custodian.lookupInvoice(offer.paymentHash)).state).toBe('CANCELED');
        await ledger.close();
      });
    });

    it('survives a restart: a stake stays locked, a lock interrupted before it was stored is finished, and it is released after the vote', async () => {
      await withWorld(factory, async ({ world, stakerKey, openLedger, openCustodian, lock }) => {
        let ledger = await openLedger();
        let custodian = await openCustodian(ledger);
        const until = unixSeconds(world.clock) + DAY;
        const first = await lock(custodian, { amountSat: 10_000, until, sequence: 0 });
        // The second lock's payment is held and attested, but the process dies before the event is stored.
        const append = ledger.append.bind(ledger);
        ledger.append = async () => {
          throw new Error('crash');
        };
        const second = lock(custodian, { amountSat: 15_000, until, sequence: 1 });
        await expect(second).rejects.toThrow('crash');
        ledger.append = append;
        await ledger.close();

        ledger = await openLedger();
        custodian = await openCustodian(ledger);
        const stakes = await readStakes(ledger, { staker: stakerKey.id });
        expect(stakes.map((s) => s.statement.amountSat).sort()).toEqual([10_000, 15_000]);
        expect(stakes.every((s) => stakeState(s, unixSeconds(world.clock)) === 'locked')).toBe(true);
        expect(stakeWeights(stakes, { asOf: unixSeconds(world.clock) }).get(stakerKey.id)).toBe(25_000n);

        // The vote closes; the custodian releases both, and the release of one is interrupted too.
        world.clock.advance(DAY * 1000);
        ledger.append = async () => {
          throw new Error('crash');
        };
        await expect(custodian.releaseDue()).rejects.toThrow('crash');
        await ledger.close();
        ledger = await openLedger();
        custodian = await openCustodian(ledger);
        await custodian.releaseDue();
        const ended = await readStakes(ledger, { staker: stakerKey.id });
        expect(ended.map((s) => stakeState(s, unixSeconds(world.clock)))).toEqual(['released', 'released']);
        expect(await first.ended).toBe('returned');
        expect((await world.staker.balance()).inFlightMsat).toBe(0);
        await ledger.close();
      });
    });

    it('records a stake the node canceled near its CLTV deadline as expired, and renews a stake', async () => {
      await withWorld(factory, async ({ world, openLedger, openCustodian, lock }) => {
        const ledger = await openLedger();
        const custodian = await openCustodian(ledger);
        const now = unixSeconds(world.clock);
        const short = await lock(custodian, { amountSat: 10_000, until: now + 3_600, sequence: 0 });
        const renewal = await lock(custodian, { amountSat: 10_000, until: now + 2 * DAY, sequence: 1 });
        // Renewing hands over to the longer stake before the first one's promise runs out.
        await rejectedAgoraError(
          custodian.release(renewal.lockId, { renewedBy: short.lockId }),
          ErrorCode.InvalidState,
        );
        const renewed = await custodian.release(short.lockId, { renewedBy: renewal.lockId });
        expect(renewed.body).toEqual({ lock: short.lockId, reason: 'renewed' });
        expect(await short.ended).toBe('returned');
        // Blocks come faster than the clock: the node gives the held HTLC back before its deadline. (The payer's node
        // may add a random CLTV offset, as LDK does for privacy: mine up to the height the lock recorded.)
        const { expiryHeight } = renewal.lock.body as { expiryHeight: number };
        await world.mineBlocks(expiryHeight - (await world.custodian.info()).blockHeight);
        const expired = await custodian.sync();
        expect(expired.map((e) => e.body)).toEqual([{ lock: renewal.lockId, reason: 'expired' }]);
        expect(await renewal.ended).toBe('returned');
        await ledger.close();
      });
    });
  });
}
