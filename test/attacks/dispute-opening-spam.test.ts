// Fourth review of issue 20: a bond counts for one dispute (the lowest id), but nothing bounds the openings that name
// it: a party to any receipt signs as many openings as it likes with one bond (and any stored electorate, its
// `created` claimed within a day of its moment), each stored as evidence. Every one is read again by every reader of
// disputes (`disputeLosses`, hence `governedState`, every L402 gate's blacklist, `agora rules`, `agora dispute list`),
// and each read rebuilds its electorate from the ledger before its bond is even looked at. Here 100 free openings
// cost each reader tens of times the read of the real dispute, on an electorate of a few dozen events (a real
// one is thousands). An opening whose bond backs another dispute should cost a reader next to nothing (or openings
// per bond, or per receipt, be bounded).
import { describe, expect, it } from 'vitest';
import { createDisputeOpened, disputeLosses } from '../../src/disputes/index.js';
import { at, buildWorld, ledgerWith } from '../disputes/fixture.js';
import { usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

const SPAM = 100;

describe('openings that reuse one bond', () => {
  it('cost a reader of disputes little each', async () => {
    const world = await buildWorld({ verifier: verifier() });
    const ledger = await ledgerWith(verifier(), [...world.base, world.opened]);
    try {
      const now = world.openedBody.answerBy + 10 * 86_400;
      const timed = async () => {
        const start = performance.now();
        await disputeLosses(ledger, now);
        return performance.now() - start;
      };
      await timed();
      // The baseline, in this process: the median of five reads of the one real dispute.
      const base = [await timed(), await timed(), await timed(), await timed(), await timed()].sort(
        (a, b) => a - b,
      )[2] as number;
      await ledger.appendBatch(
        Array.from({ length: SPAM }, (_, i) =>
          createDisputeOpened(
            world.payer,
            { ...world.openedBody, claim: `the same receipt, again (${i})` },
            { clock: at(world.opened.created) },
          ),
        ),
      );
      const spammed = await timed();
      // The attack: each opening costs a reader more than a fifth of the real dispute's whole read.
      expect((spammed - base) / SPAM).toBeLessThan(base / 5);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
