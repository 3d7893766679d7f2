import { describe, expect, it } from 'vitest';
import { acceptedSnapshots, createReputationSnapshot } from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration } from '../../src/ledger/index.js';
import { at, snapshotLedger } from './reputation-snapshot-fixture.js';

describe('a backdated event does not take every accepted snapshot away', () => {
  // A registration nothing names carries no trust: it disputes no snapshot, whatever time it claims.
  it('keeps the honest snapshot accepted after a stranger registers with a time in the past', async () => {
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
