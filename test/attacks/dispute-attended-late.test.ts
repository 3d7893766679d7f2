// Review of issue 20: the publication rule covers juror votes and reveals, not `dispute.attended` (checked on its
// claimed time alone). A round closes with two votes and two attestations; the three other jurors are absent, and the
// custodian takes their penalties. A month after the dispute was final, an absent juror publishes an attestation
// dated inside the voting window: more attest than voted, so the whole panel counts as absent (the two who voted
// too), and the penalties the ledger now asks for were not those settled. Fixed: an attestation counts only if
// published by its window's close plus the grace, as votes and reveals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  absentJurors,
  createDisputeAttended,
  type DisputeRound,
  readDispute,
} from '../../src/disputes/index.js';
import type { AgentKey } from '../../src/identity/index.js';
import { type PanelProver, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedRound } from '../fixtures/witness.js';
import { panelZk } from '../fixtures/zk.js';

let prover: PanelProver;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await panelZk());
}, 120_000);

afterAll(() => releaseCurve());

describe('an attestation of attendance published after the dispute was final', () => {
  it('does not change who was absent', async () => {
    const { world, dispute, round0, ledger, later } = await witnessedRound(verifier, prover, [
      'upheld',
      'upheld',
    ]);
    try {
      const absent = async () => {
        const view = await readDispute(ledger, dispute, later, await reading(ledger, later));
        expect(view.status).toBe('decided');
        return absentJurors(view.rounds[0] as DisputeRound);
      };
      const before = await absent();
      expect(before).toHaveLength(3);
      // A month later, an absent juror attests, dated inside the voting window; the witness shows it then.
      const liar = world.jurors.find((j) => j.id === before[0]) as AgentKey;
      await ledger.append(
        createDisputeAttended(liar, { dispute, round: 0 }, { clock: at(round0.votesClose - 60) }),
      );
      await witnessAt(ledger, world.custodian, later - 3_600);
      // The attack: the whole panel now counts as absent, the two jurors who voted included.
      expect(await absent()).toEqual(before);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
