// Attacks on a dispute's jury: a party flooding the eligible set with fresh sybil keys, a claimant leaving the jurors
// it does not like out of the electorate's checkpoint, a claimant fixing the electorate at an old moment.
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import {
  createDisputeOpened,
  DISPUTE_TERMS,
  draftElectorate,
  drawPanel,
  drawSeed,
  readDispute,
} from '../../src/disputes/index.js';
import { createSnapshotSources } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { rateReceipt } from '../../src/receipts/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, buildWorld, disputeRegistry, idOf, ledgerWith, T } from '../disputes/fixture.js';
import { receiptAt, registrationAt } from '../fixtures/receipts.js';
import { panelVerifier } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';

let verifier: Verifier;
beforeAll(async () => {
  verifier = await panelVerifier();
});
afterAll(() => releaseCurve());

describe('a party flooding the juror pool with sybils', () => {
  it('gains no measurable chance of a seat under reputation weighting', async () => {
    const network = new SimNetwork({ seed: 'sybil-jurors' });
    const honest = Array.from({ length: 12 }, () => generateAgentKey());
    const providers = honest.slice(0, 3);
    const nodes = providers.map((_, i) => network.createNode(`honest-${i}`));
    // The attacker: a provider with its own node, and 40 fresh keys that buy from it and rate it well.
    const attacker = generateAgentKey();
    const attackerNode = network.createNode('attacker');
    const sybils = Array.from({ length: 40 }, () => generateAgentKey());
    const events: LedgerEvent[] = [];
    for (const [i, key] of honest.entries())
      events.push(await registrationAt(key, T + i, i < 3 ? [(nodes[i] as { nodeKey: string }).nodeKey] : []));
    events.push(await registrationAt(attacker, T + 20, [attackerNode.nodeKey]));
    for (const [i, sybil] of sybils.entries()) events.push(await registrationAt(sybil, T + 30 + i));
    let time = T + 100;
    for (const payer of honest.slice(3))
      for (const [p, provider] of providers.entries()) {
        const receipt = await receiptAt(provider, nodes[p] as never, payer, time++, 20_000);
        events.push(receipt, rateReceipt(payer, idOf(receipt), 2, { clock: at(time++) }));
      }
    for (const sybil of sybils) {
      const receipt = await receiptAt(attacker, attackerNode, sybil, time++, 20_000);
      events.push(receipt, rateReceipt(sybil, idOf(receipt), 2, { clock: at(time++) }));
      // And trust among themselves, as a ring would fake it.
      const next = sybils[(sybils.indexOf(sybil) + 1) % sybils.length] as AgentKey;
      events.push(await registrationAt(next, time++));
    }
    const ledger = await ledgerWith(verifier, events);
    const { declared } = await draftElectorate(ledger, { mode: 'reputation', asOf: time });
    await ledger.close();
    const electorate = await electorateOf(events, time);
    const sybilIds = new Set([...sybils.map((s) => s.id), attacker.id]);
    const sybilWeight = electorate
      .filter((j) => sybilIds.has(j.agent))
      .reduce((sum, j) => sum + j.weight, 0n);
    expect(declared.members).toBeGreaterThanOrEqual(5);
    expect(sybilWeight).toBe(0n);
    // Over many blocks, no sybil is ever drawn; counted by heads (one key, one weight) they would fill most seats.
    let seats = 0;
    let seatsByHead = 0;
    const heads = [...honest, attacker, ...sybils].map((key) => ({ agent: key.id, weight: 1n }));
    for (let block = 0; block < 300; block++) {
      const seed = drawSeed(block.toString(16).padStart(64, '0'), 'cd'.repeat(32), 0);
      seats += drawPanel(electorate, seed, 5).filter((j) => sybilIds.has(j)).length;
      seatsByHead += drawPanel(heads, seed, 5).filter((j) => sybilIds.has(j)).length;
    }
    expect(seats).toBe(0);
    expect(seatsByHead).toBeGreaterThan(1_000);
  }, 120_000);
});

/** The eligible jurors a reputation electorate at `asOf` gives, as every replica rebuilds them. */
async function electorateOf(events: readonly LedgerEvent[], asOf: number) {
  const { snapshotFromLedger } = await import('../../src/governance/index.js');
  const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: disputeRegistry(verifier) });
  await ledger.importLines(events.map((e) => JSON.stringify(e)));
  const snapshot = await snapshotFromLedger(ledger, { mode: 'reputation', asOf, minWeight: 1n });
  await ledger.close();
  return snapshot.members.map(({ agent, weight }) => ({ agent, weight }));
}

describe('a claimant choosing its jurors', () => {
  it('leaving jurors out of the checkpoint: the electorate is contested where they are known, and never draws', async () => {
    const world = await buildWorld({ verifier, jurorCount: 8 });
    // The claimant's checkpoint lists every event but the stakes of the four heaviest jurors.
    const dropped = new Set(
      world.base
        .filter((e) => e.type === 'stake.locked')
        .slice(4, 8)
        .map(idOf),
    );
    const partial = world.base.filter((e) => !dropped.has(idOf(e)) && e.type !== 'snapshot.sources');
    const drafting = await ledgerWith(verifier, partial);
    const { ids, declared } = await draftElectorate(drafting, { mode: 'stake', asOf: T + 50 });
    await drafting.close();
    const sources = createSnapshotSources(world.payer, ids, { clock: at(T + 90) });
    const opened = createDisputeOpened(
      world.payer,
      { ...world.openedBody, jurors: { ...declared, sources: sources.map(idOf) } },
      { clock: at(T + 100) },
    );
    const ledger = await ledgerWith(verifier, [...world.base, ...sources, opened]);
    const view = await readDispute(ledger, idOf(opened), T + 200);
    expect(view.status).toBe('contested');
    expect(view.rounds).toEqual([]);
    await ledger.close();
  }, 120_000);

  it('fixing the electorate long before the opening (a moment with few agents) is refused', async () => {
    const world = await buildWorld({ verifier, jurorCount: 6 });
    const ledger = await ledgerWith(verifier, world.base);
    const stale = createDisputeOpened(
      world.payer,
      {
        ...world.openedBody,
        jurors: { ...world.electorate, asOf: T + 100 - DISPUTE_TERMS.maxElectorateAge - 1 },
      },
      { clock: at(T + 100) },
    );
    await rejectedAgoraError(ledger.append(stale), ErrorCode.InvalidEvent);
    await ledger.close();
  }, 120_000);

  it('declaring another event count than its checkpoint lists is refused on ingest', async () => {
    const world = await buildWorld({ verifier, jurorCount: 6 });
    const ledger = await ledgerWith(verifier, world.base);
    const inflated = createDisputeOpened(
      world.payer,
      { ...world.openedBody, jurors: { ...world.electorate, events: world.electorate.events + 1 } },
      { clock: at(T + 100) },
    );
    await rejectedAgoraError(ledger.append(inflated), ErrorCode.InvalidEvent);
    await ledger.append(world.opened);
    await ledger.close();
  }, 120_000);
});
