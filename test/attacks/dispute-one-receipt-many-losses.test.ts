// Fourth review of issue 20: nothing limits the disputes over one receipt, and `disputeLosses` counts each one as a
// loss of the provider (`blacklist-dispute-losers` counts distinct dispute ids), `disputeFacts` each as an upheld
// claim worth ten times the receipt. One payer with one payment opens three disputes on the same receipt, each with
// the least bond; the provider, to avoid three default losses, must lock three counter-bonds and sit three panels.
// Left unanswered (or lost once, on the merits, three times over), a single payment blacklists it under a
// "3 losses in 30 days" rule meant for three incidents. A receipt should be disputed once (the lowest id counts, as
// for bonds), or its disputes count as one loss.
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../src/core/index.js';
import { createDisputeOpened, disputeLosses } from '../../src/disputes/index.js';
import { disputeLosers } from '../../src/governance/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { createStakeLocked, createStakeStatement } from '../../src/stake/index.js';
import { at, buildWorld, idOf, T } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

describe('one receipt disputed three times', () => {
  it('counts as one lost dispute of its provider', async () => {
    const world = await buildWorld({ verifier: verifier() });
    const bond = (n: number): LedgerEvent =>
      createStakeLocked(
        world.custodian,
        {
          statement: createStakeStatement(
            world.payer,
            {
              custodian: world.custodian.id,
              mode: 'custodial',
              paymentHash: toHex(sha256(utf8(`bond ${n}`))),
              amountSat: 1_000,
              until: T + 10_000_000,
              sequence: 2_000 + n,
            },
            { clock: at(T + 60) },
          ),
          expiryHeight: 10_000,
        },
        { clock: at(T + 60) },
      );
    const bonds = [bond(0), bond(1), bond(2)];
    const openings = bonds.map((lock, i) =>
      createDisputeOpened(
        world.payer,
        { ...world.openedBody, bond: idOf(lock), claim: `the forecast served was garbage (${i})` },
        { clock: at(T + 100) },
      ),
    );
    const ledger = await witnessedDisputeLedger(verifier(), world.custodian, [
      ...world.base,
      ...bonds,
      ...openings,
    ]);
    try {
      // Shown two hours before the deadline; the provider does not answer.
      await witnessAt(ledger, world.custodian, world.openedBody.answerBy - 7_200);
      const now = world.openedBody.answerBy + 86_400;
      const losses = await disputeLosses(ledger, now, await reading(ledger, now));
      expect(losses.length).toBeGreaterThan(0);
      expect(losses.every((loss) => loss.agent === world.provider.id)).toBe(true);
      // The attack: three losses, one payment; the provider is blacklisted by a rule asking for three.
      expect(disputeLosers({ kind: 'blacklist-dispute-losers', losses: 3, days: 30 }, losses, now)).toEqual(
        [],
      );
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
