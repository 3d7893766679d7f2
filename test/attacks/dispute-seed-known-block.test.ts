// Fourth review of issue 20: the seed height a dispute fixes is never compared with anything in time. Nothing checks
// that its block was not mined yet when the dispute was opened: no backdating is needed (docs/security.md speaks of a
// claimant "dating its opening back"), a claimant names a height mined a day ago, reads its hash, and grinds its
// dispute id (here the claim's wording) until the draw seats the jurors it wants; then it publishes the opening. With
// a handful of tries it seats its three allies, the lightest jurors of the electorate, a majority of five. A seed block
// should be mined after the opening was public (after its publication, or its anchor), else the draw not count.
import { describe, expect, it } from 'vitest';
import { parseBlockHeader } from '../../src/anchor/index.js';
import { doubleSha256, toHex } from '../../src/core/index.js';
import {
  checkElectorate,
  createDisputeAnswered,
  createDisputeDrawn,
  createDisputeOpened,
  drawPanel,
  drawSeed,
  type EligibleJuror,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { at, buildWorld, idOf, ledgerWith } from '../disputes/fixture.js';
import { usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

/** A regtest header dated `time`, meeting regtest's proof of work. */
function headerAt(time: number): string {
  const bytes = new Uint8Array(80);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 0x20000000, true);
  bytes.fill(0x5e, 4, 68);
  view.setUint32(68, time, true);
  view.setUint32(72, 0x207fffff, true);
  for (let nonce = 0; ; nonce++) {
    view.setUint32(76, nonce, true);
    if (((doubleSha256(bytes)[31] as number) & 0x80) === 0) return toHex(bytes);
  }
}

describe('a seed block mined before the dispute was opened', () => {
  it('does not let the claimant grind the panel it knows', async () => {
    const world = await buildWorld({ verifier: verifier() });
    const opened0 = world.opened.created;
    // The block at the seed height was mined a day before the claimant opens: its hash is public.
    const header = headerAt(opened0 - 86_400);
    const blockHash = parseBlockHeader(header).hash;
    const scratch = await ledgerWith(verifier(), world.base);
    const electorate = await checkElectorate(scratch, world.electorate);
    await scratch.close();
    if (electorate.status !== 'valid') throw new Error(electorate.status);
    const jurors: readonly EligibleJuror[] = electorate.jurors;
    // Its allies: the three lightest jurors (a fifth of the weight).
    const allies = new Set(
      [...jurors]
        .sort((a, b) => (a.weight < b.weight ? -1 : 1))
        .slice(0, 3)
        .map((j) => j.agent),
    );
    const parties = new Set([world.payer.id, world.provider.id]);
    let opened: LedgerEvent | undefined;
    for (let attempt = 0; opened === undefined; attempt++) {
      const candidate = createDisputeOpened(
        world.payer,
        { ...world.openedBody, claim: `the forecast served was garbage (${attempt})` },
        { clock: at(opened0) },
      );
      const panel = drawPanel(jurors, drawSeed(blockHash, idOf(candidate), 0), 5, parties);
      if (panel.filter((agent) => allies.has(agent)).length === 3) opened = candidate;
    }
    const dispute = idOf(opened);
    const answer = createDisputeAnswered(
      world.provider,
      { dispute, evidence: 'served 200 with the forecast', bond: idOf(world.bonds.provider) },
      { clock: at(opened0 + 100) },
    );
    const { answerBy } = world.openedBody;
    const panel = drawPanel(jurors, drawSeed(blockHash, dispute, 0), 5, parties);
    const drawn = createDisputeDrawn(
      world.custodian,
      { dispute, round: 0, appeal: null, header, panel },
      { clock: at(answerBy + 1) },
    );
    const ledger = await ledgerWith(verifier(), [...world.base, opened, answer, drawn]);
    try {
      const view = await readDispute(ledger, dispute, roundTimes(answerBy, 0).votesOpen + 60);
      // The attack: the round was drawn from the known block, and the claimant's three allies held the majority.
      const seated = view.rounds[0]?.panel ?? [];
      expect(seated.filter((agent) => allies.has(agent)).length).toBeLessThan(3);
      // The block was mined before the opening: its draw is refused, the round is unseeded and the dispute void.
      expect(view.rounds[0]).toMatchObject({ status: 'unseeded', refusedDraws: [{ id: idOf(drawn) }] });
      expect(view.status).toBe('void');
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
