// The fresh dates `agora sync` gives vote pieces kept back or overdue (`redatePiece`): over what is left of the
// window, as `castPrivateVote` draws them; none for other events or once voting has closed.
import { afterAll, describe, expect, it } from 'vitest';
import { redatePiece } from '../../src/governance/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import { votingLedger } from '../attacks/vote-observer-fixture.js';
import { voteVerifier } from '../fixtures/zk.js';

const NOW = 1_800_000_000;

describe('redatePiece', () => {
  afterAll(() => releaseCurve());

  it('dates a piece of an open vote afresh over what is left of its window, nothing else', async () => {
    const closes = NOW + 3_600;
    const { proposal, ledger } = await votingLedger(
      [64n, 64n, 64n],
      { window: { opens: NOW, closes } },
      { verifier: await voteVerifier(), created: NOW },
    );
    try {
      const piece = {
        v: 1,
        type: 'vote.cast',
        created: NOW + 5,
        body: { proposal: proposal.id },
      } as LedgerEvent;
      for (const [draw, expected] of [
        [0, NOW + 1_001],
        [0.5, NOW + 1_001 + Math.floor(0.5 * (closes - NOW - 1_001))],
        [0.999_999_9, closes - 1],
      ] as const)
        expect(await redatePiece(ledger, { random: () => draw })(piece, NOW + 1_000)).toBe(expected);
      const redate = redatePiece(ledger);
      expect(await redate(piece, closes - 1)).toBeUndefined();
      expect(await redate(piece, closes + 10)).toBeUndefined();
      expect(await redate({ ...piece, type: 'test.anon' }, NOW + 1_000)).toBeUndefined();
    } finally {
      await ledger.close();
    }
  });
});
