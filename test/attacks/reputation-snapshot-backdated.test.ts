import { describe, expect, it } from 'vitest';
import { acceptedSnapshots, createReputationSnapshot } from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration } from '../../src/ledger/index.js';
import { at, snapshotLedger } from './reputation-snapshot-fixture.js';

describe('a backdated event does not take every accepted snapshot away', () => {
  // A KNOWN BREAK, not yet fixed (docs/security.md, "Known and not yet fixed"): the attack succeeds today, so the
  // test is expected to fail. `it.fails` turns red the day a fix makes it pass: then make it a plain `it`.
  it.fails('keeps the honest snapshot accepted after a stranger registers with a time in the past', async () => {
    const ledger = await snapshotLedger();
    try {
      const [publisher, b, c] = [generateAgentKey(), generateAgentKey(), generateAgentKey()];
      await ledger.appendBatch([
        await createAgentRegistration(publisher, { clock: at(100) }),
        await createAgentRegistration(b, { clock: at(110) }),
        await createAgentRegistration(c, { clock: at(120) }),
      ]);
      const honest = await createReputationSnapshot(ledger, publisher, { asOf: 500, clock: at(600) });
      await ledger.appendBatch([...honest.sources, honest.event]);
      expect(await acceptedSnapshots(ledger)).toHaveLength(1);

      // The attack: a fresh key registers, dated long before the snapshot (at 1,000,000 s the clock says 50).
      await ledger.append(await createAgentRegistration(generateAgentKey(), { clock: at(50) }));
      expect(await acceptedSnapshots(ledger)).toHaveLength(1);
    } finally {
      await ledger.close();
    }
  }, 60_000);
});
