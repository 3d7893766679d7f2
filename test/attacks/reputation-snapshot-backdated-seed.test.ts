import { describe, expect, it } from 'vitest';
import { acceptedSnapshots, createReputationSnapshot } from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { levelAtLeast } from '../../src/l402/index.js';
import { createAgentRegistration } from '../../src/ledger/index.js';
import { at, snapshotLedger } from './reputation-snapshot-fixture.js';

describe('a fresh registration does not earn a credential', () => {
  // Fixed by the network's configuration: its pre-trusted seeds are named, not the oldest registrations by claimed
  // time (which a backdated registration joins).
  it('gives a key registered now, dated in the past, no leaf at a 1,000,000 ppb threshold', async () => {
    const founders = Array.from({ length: 12 }, () => generateAgentKey());
    const ledger = await snapshotLedger({ chain: 'regtest', seeds: founders.map((key) => key.id).sort() });
    try {
      await ledger.appendBatch(
        await Promise.all(founders.map((key, i) => createAgentRegistration(key, { clock: at(100 + i) }))),
      );
      // The sybil registers at 10,000 s, signing created = 1.
      const sybil = generateAgentKey();
      await ledger.append(await createAgentRegistration(sybil, { clock: at(1) }));
      const snapshot = await createReputationSnapshot(ledger, founders[0] as never, {
        asOf: 10_000,
        clock: at(10_000),
      });
      await ledger.appendBatch([...snapshot.sources, snapshot.event]);
      const accepted = await acceptedSnapshots(ledger);
      expect(accepted).toHaveLength(1);
      const leaf = accepted[0]?.snapshot.members.find((member) => member.agent === sybil.id);
      const level = BigInt(levelAtLeast(1_000_000));
      expect(leaf === undefined ? 0n : (leaf.weight >> level) & 1n).toBe(0n);
    } finally {
      await ledger.close();
    }
  }, 60_000);
});
