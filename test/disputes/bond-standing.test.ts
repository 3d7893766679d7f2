// Which stakes can back a dispute event (`bondStanding`, the rule `countedBond` and `bondOwner` apply): a custodian the
// network accepts (`acceptsCustodian`, as stake weights), never the staker itself, and `locked` at the event's moment
// by the endings shown no later than the event where witnesses show publication.
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

function lockBy(holder: AgentKey, tag: string): LedgerEvent {
  const statement = createStakeStatement(
    staker,
    {
      custodian: holder.id,
      mode: 'custodial',
      paymentHash: toHex(doubleSha256(utf8(tag))),
      amountSat: 2_000,
      until: T + 1_000_000,
      sequence: 1,
    },
    at(T),
  );
  return createStakeLocked(holder, { statement, expiryHeight: 10_000 }, at(T));
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
    const publication: Publication = {
      witnessed: true,
      at: (id) => {
        const blockTime = listings.get(id);
        return blockTime === undefined ? undefined : { blockTime, height: 1, confirmation: 'c'.repeat(64) };
      },
    };
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
});
