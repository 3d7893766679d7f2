// Fourth review of issue 20: parties are excluded from the draw by agent id only, while the electorate carries
// delegations (`delegation.set` is of the electorate's kinds and moves weight to the end of its chain). Under
// reputation weighting a fresh key weighs nothing (the sybil defence of dispute-jury.test.ts), but a party that
// delegates to a fresh key of its own, before the electorate's moment, hands it its whole score: the party's own
// trust sits on its panel under another name. A party's weight (delegated or its own) should never be drawn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkElectorate, draftElectorate, drawPanel, drawSeed } from '../../src/disputes/index.js';
import { createDelegation, createSnapshotSources } from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { rateReceipt } from '../../src/receipts/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, idOf, ledgerWith, T } from '../disputes/fixture.js';
import { receiptAt, registrationAt } from '../fixtures/receipts.js';
import { panelVerifier } from '../fixtures/zk.js';

let verifier: Verifier;
beforeAll(async () => {
  verifier = await panelVerifier();
});
afterAll(() => releaseCurve());

describe("a party's delegation to a key of its own", () => {
  it('does not seat the party on its own panel under reputation weighting', async () => {
    const network = new SimNetwork({ seed: 'delegated-seat' });
    const agents = Array.from({ length: 12 }, () => generateAgentKey());
    const providers = agents.slice(0, 3);
    const nodes = providers.map((_, i) => network.createNode(`provider-${i}`));
    const events: LedgerEvent[] = [];
    for (const [i, key] of agents.entries())
      events.push(await registrationAt(key, T + i, i < 3 ? [(nodes[i] as { nodeKey: string }).nodeKey] : []));
    let time = T + 100;
    for (const payer of agents.slice(3))
      for (const [p, provider] of providers.entries()) {
        const receipt = await receiptAt(provider, nodes[p] as never, payer, time++, 20_000);
        events.push(receipt, rateReceipt(payer, idOf(receipt), 2, { clock: at(time++) }));
      }
    // The party: the first provider, the claimant of a dispute with one of its payers. Its fresh key, registered
    // and delegated to before the electorate's moment.
    const party = providers[0] as (typeof providers)[0];
    const respondent = agents[3] as (typeof agents)[0];
    const shadow = generateAgentKey();
    events.push(
      await registrationAt(shadow, time++),
      createDelegation(party, shadow.id, { clock: at(time++) }),
    );
    const ledger = await ledgerWith(verifier, events);
    try {
      const asOf = time + 10;
      const { ids, declared } = await draftElectorate(ledger, { mode: 'reputation', asOf });
      const sources = createSnapshotSources(party, ids, { clock: at(asOf + 1) });
      await ledger.appendBatch(sources);
      const electorate = { ...declared, sources: sources.map(idOf) };
      const parties = [party.id, respondent.id];
      // The electorate as declared holds the shadow key, with the party's delegated score.
      const all = await checkElectorate(ledger, electorate);
      if (all.status !== 'valid') throw new Error(all.status);
      expect(all.jurors.find((j) => j.agent === shadow.id)?.weight ?? 0n).toBeGreaterThan(0n);
      // The dispute's eligible jurors: the parties and the keys their weight is delegated to left out.
      const verdict = await checkElectorate(ledger, electorate, { parties });
      if (verdict.status !== 'valid') throw new Error(verdict.status);
      const jurors = verdict.jurors.map(({ agent, weight }) => ({ agent, weight }));
      const excluded = new Set(parties);
      let seated = 0;
      for (let i = 0; i < 200; i++)
        if (
          drawPanel(jurors, drawSeed(`${i}`.padStart(64, '0'), 'd'.repeat(64), 0), 5, excluded).includes(
            shadow.id,
          )
        )
          seated++;
      // The attack: the fresh key carried the party's score and sat on most of its panels.
      expect(jurors.find((j) => j.agent === shadow.id)?.weight ?? 0n).toBe(0n);
      expect(seated).toBe(0);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
