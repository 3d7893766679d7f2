// Which stakes can back a dispute event (`bondStanding`, the rule `countedBond` and `bondOwner` apply): a custodian the
// network accepts (`acceptsCustodian`, as stake weights), never the staker itself, and `locked` at the event's moment
// by the endings shown no later than the event where witnesses show publication, and unmade by a lower-id rival lock
// of its payment only when that rival was shown no later than the event too.
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  checkNetworkConfig,
  doubleSha256,
  ManualClock,
  type NetworkConfig,
  toHex,
  utf8,
} from '../../src/core/index.js';
import { bondStanding } from '../../src/disputes/index.js';
import type { Publication } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { EventRegistry, Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import {
  createStakeLocked,
  createStakeReleased,
  createStakeStatement,
  stakeEventTypes,
} from '../../src/stake/index.js';
import { idOf } from './fixture.js';

const T = 1_800_000_000;
const at = (seconds: number) => ({ clock: new ManualClock(seconds * 1000) });
const [staker, custodian, other] = [generateAgentKey(), generateAgentKey(), generateAgentKey()];

function lockBy(holder: AgentKey, tag: string, sequence = 1, created = T): LedgerEvent {
  const statement = createStakeStatement(
    staker,
    {
      custodian: holder.id,
      mode: 'custodial',
      paymentHash: toHex(doubleSha256(utf8(tag))),
      amountSat: 2_000,
      until: T + 1_000_000,
      sequence,
    },
    at(created),
  );
  return createStakeLocked(holder, { statement, expiryHeight: 10_000 }, at(created));
}

/** A publication whose listings the test sets. */
function listed(listings: Map<string, number>): Publication {
  return {
    witnessed: true,
    at: (id) => {
      const blockTime = listings.get(id);
      return blockTime === undefined ? undefined : { blockTime, height: 1, confirmation: 'c'.repeat(64) };
    },
  };
}

const held = lockBy(custodian, 'held by the custodian');
const heldByOther = lockBy(other, 'held by another custodian');
const selfHeld = lockBy(staker, 'held by its staker');

async function ledgerOf(config: NetworkConfig | undefined, events: readonly LedgerEvent[]): Promise<Ledger> {
  const registry = new EventRegistry(
    stakeEventTypes,
    config === undefined ? undefined : checkNetworkConfig(config),
  );
  const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry });
  for (const event of events) await ledger.append(event);
  return ledger;
}

async function counted(config: NetworkConfig | undefined): Promise<Record<string, boolean>> {
  const ledger = await ledgerOf(config, [held, heldByOther, selfHeld]);
  try {
    const counts = async (lock: LedgerEvent) => (await bondStanding(ledger, idOf(lock), T + 10)).counts;
    return {
      held: await counts(held),
      heldByOther: await counts(heldByOther),
      selfHeld: await counts(selfHeld),
    };
  } finally {
    await ledger.close();
  }
}

describe('a dispute bond', () => {
  it('counts only under a custodian the network accepts, never under its own staker', async () => {
    // The development default: any custodian but the staker itself.
    expect(await counted(undefined)).toEqual({ held: true, heldByOther: true, selfHeld: false });
    expect(await counted({ chain: 'regtest' })).toEqual({ held: true, heldByOther: true, selfHeld: false });
    // Configured custodians: those only.
    expect(await counted({ chain: 'regtest', custodians: [custodian.id] })).toEqual({
      held: true,
      heldByOther: false,
      selfHeld: false,
    });
    // Naming the staker a custodian does not make its own holds bonds.
    expect(await counted({ chain: 'regtest', custodians: [custodian.id, staker.id] })).toMatchObject({
      selfHeld: false,
    });
    // On bitcoin there is no default: no custodian configured, no bond.
    expect(await counted({ chain: 'bitcoin' })).toEqual({ held: false, heldByOther: false, selfHeld: false });
    expect(await counted({ chain: 'bitcoin', custodians: [custodian.id] })).toEqual({
      held: true,
      heldByOther: false,
      selfHeld: false,
    });
  });

  it('says why a locked stake is refused', async () => {
    const ledger = await ledgerOf({ chain: 'regtest', custodians: [custodian.id] }, [heldByOther, selfHeld]);
    try {
      const foreign = await bondStanding(ledger, idOf(heldByOther), T + 10);
      expect(foreign).toMatchObject({ state: 'locked', counts: false });
      expect(foreign.refused).toMatch(/not one this network accepts/);
      const own = await bondStanding(ledger, idOf(selfHeld), T + 10);
      expect(own).toMatchObject({ state: 'locked', counts: false });
      expect(own.refused).toMatch(/its own staker/);
    } finally {
      await ledger.close();
    }
  });

  it('reads, where witnesses show publication, only the endings shown no later than its event', async () => {
    // A release dated before the event (T + 5 < T + 10).
    const release = createStakeReleased(custodian, { lock: idOf(held), reason: 'released' }, at(T + 5));
    const ledger = await ledgerOf({ chain: 'regtest', custodians: [custodian.id] }, [held, release]);
    const listings = new Map<string, number>();
    const publication = listed(listings);
    const event = 'e'.repeat(64);
    const standing = () => bondStanding(ledger, idOf(held), T + 10, { event, publication });
    try {
      // Without a context, or the event not listed yet, every stored ending counts by its claimed time.
      expect(await bondStanding(ledger, idOf(held), T + 10)).toMatchObject({
        state: 'released',
        counts: false,
      });
      expect(await standing()).toMatchObject({ state: 'released', counts: false });
      // The event listed, the release not yet: the bond counts.
      listings.set(event, T + 1_000);
      expect(await standing()).toMatchObject({ state: 'locked', counts: true });
      // The release listed after the event: it still does.
      listings.set(idOf(release), T + 2_000);
      expect(await standing()).toMatchObject({ state: 'locked', counts: true });
      // Listed with it, or before: the release was public when the event was, and ends the bond.
      listings.set(idOf(release), T + 1_000);
      expect(await standing()).toMatchObject({ state: 'released', counts: false });
      // Without witnesses the claimed times decide.
      expect(
        await bondStanding(ledger, idOf(held), T + 10, {
          event,
          publication: { ...publication, witnessed: false },
        }),
      ).toMatchObject({ state: 'released', counts: false });
      // An ending dated after the event never ends it, whenever listed.
      expect(await bondStanding(ledger, idOf(held), T + 4, { event, publication })).toMatchObject({
        state: 'locked',
        counts: true,
      });
    } finally {
      await ledger.close();
    }
  });

  it('is unmade by a rival lock of its payment only when that lock was shown no later than its event', async () => {
    // The same custodian's later lock of the bond's payment, ground below the bond's id.
    let rival: LedgerEvent | undefined;
    for (let sequence = 2; rival === undefined; sequence++) {
      const candidate = lockBy(custodian, 'held by the custodian', sequence, T + 100);
      if (idOf(candidate) < idOf(held)) rival = candidate;
    }
    const ledger = await ledgerOf({ chain: 'regtest', custodians: [custodian.id] }, [held, rival]);
    const listings = new Map<string, number>();
    const publication = listed(listings);
    const event = 'e'.repeat(64);
    const standing = () => bondStanding(ledger, idOf(held), T + 10, { event, publication });
    try {
      // Without a context, or the event not listed yet, every stored rival counts: the bond is no stake.
      expect(await bondStanding(ledger, idOf(held), T + 10)).toEqual({ counts: false });
      expect(await standing()).toEqual({ counts: false });
      // The event listed, the rival not yet, or listed after it: the bond counts for that event.
      listings.set(event, T + 1_000);
      expect(await standing()).toMatchObject({ stake: { id: idOf(held) }, state: 'locked', counts: true });
      listings.set(idOf(rival), T + 2_000);
      expect(await standing()).toMatchObject({ state: 'locked', counts: true });
      // Listed with the event, or before: the rival was public when the event was, and holds the payment.
      listings.set(idOf(rival), T + 1_000);
      expect(await standing()).toEqual({ counts: false });
      // Without witnesses the ids alone decide.
      listings.set(idOf(rival), T + 2_000);
      expect(
        await bondStanding(ledger, idOf(held), T + 10, {
          event,
          publication: { ...publication, witnessed: false },
        }),
      ).toEqual({ counts: false });
    } finally {
      await ledger.close();
    }
  });
});
