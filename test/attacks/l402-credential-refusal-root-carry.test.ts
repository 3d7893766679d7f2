// Issue 18 eleventh review (low-medium, availability; fixed): since the tenth review's fix an unpaid challenge's
// history entry carries forward what its window had left in common (`among`) and every member ruled out, "like a
// proof's", but not the roots its window was shown: a refused entry has no `roots`. The client keeps a root already
// shown at a node in the linking window while the provider lists it (docs/anonymous-credentials.md: chosen over
// pinning, so that a node adding a newer snapshot costs nothing), and `seenAt` gives those roots from proofs' entries
// only. After a challenge left unpaid 6 epochs after a proof, the proof 6 epochs later sees the carried members but
// no root: the payer takes the newest settled root the node lists, whose members share too few with the carried set,
// and is refused `WOULD_LINK`, although the older root (still listed, carried) would hide it among the same 8 as
// before. Its refusal carries the same set (and again no root) one epoch on: every later visit is refused alike while
// the node keeps listing the newer root and the payer keeps using the node.
// Steps (one honest node, one origin; the payer reaches the level beside 7 others in each snapshot, not the same 7):
// 1. epoch e0: the node lists the older root only: proved among its 8;
// 2. e0+6: a premium service at a level nobody reaches: refused (rules out nobody), recorded with step 1's 8;
// 3. e0+12: the node lists the older root and a newer one (a newer snapshot added, the older still accepted).
// Impact: an honest node is refused where a proof leaking nothing more exists; with step 2 a proof instead (the
// control), step 3 proves against the older root. Before the fix step 3 proved the newer root (the refusal bridge).
// Suggested fix: a refused entry carries the roots its window was shown, as `among` is carried (`withRefusal` and the
// v4 document gain `roots`; the v1-v3 migration gives each refused entry its window's roots).
// Fixed: a refused entry carries its window's roots (`RefusedCredential.roots`, v4 `roots`; a v1-v3 document's
// refused entries are given their window's on reading), and `seenAt` counts them like a proof's.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws (the reservation,
// made before proving, stays).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { MIN_SCORE, operatorNodes, recordingHolder, SCORES, snapshotOf } from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;
/** A level no member of the snapshots reaches (every score is at most 50,000,000 ppb). */
const NOBODY = 100_000_000;

/** The fixture's drifting snapshots, the newer one taken later (both long settled). */
async function datedDrift(payer: AgentKey) {
  const first = Array.from({ length: 7 }, () => generateAgentKey());
  const second = Array.from({ length: 7 }, () => generateAgentKey());
  const scores = (up: AgentKey[], down: AgentKey[]) =>
    new Map<AgentKey, number>([
      [payer, SCORES.high],
      ...up.map((key) => [key, SCORES.high] as [AgentKey, number]),
      ...down.map((key) => [key, SCORES.low] as [AgentKey, number]),
    ]);
  return {
    older: await snapshotOf(scores(first, second), 0),
    newer: await snapshotOf(scores(second, first), 1_000),
  };
}

async function drift(bridge: 'refused' | 'proved') {
  const { clock, gatingRoots, call } = await operatorNodes();
  const payer = generateAgentKey();
  const { older, newer } = await datedDrift(payer);
  const { holder, proved } = await recordingHolder(payer, [older, newer]);
  const fetch = call(holder);
  await fetch(gatingRoots('weather', [older.root]));
  clock.advance(6 * DAY_MS);
  const second = await fetch(
    bridge === 'refused'
      ? gatingRoots('premium', [older.root], NOBODY)
      : gatingRoots('weather', [older.root]),
  );
  if (bridge === 'refused') expect(second).toMatchObject({ code: ErrorCode.InvalidProof });
  clock.advance(6 * DAY_MS);
  const third = await fetch(gatingRoots('weather', [older.root, newer.root], MIN_SCORE));
  return { older, newer, proved, third };
}

describe("a challenge left unpaid carries its window's roots forward, as a proof does", () => {
  it('proves against the older root still listed, 6 epochs after a refusal that came 6 after its proof', async () => {
    const { older, proved, third } = await drift('refused');
    // The measure: refused WOULD_LINK (the newest root taken, 1 in common with the carried 8) where the older root,
    // listed and carried, hides the payer among the same 8.
    expect(third).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved.map((statement) => statement.root)).toEqual([older.root, older.root]);
  });

  it('proves against the older root still listed after a proof in between (the control)', async () => {
    const { older, proved } = await drift('proved');
    expect(proved.map((statement) => statement.root)).toEqual([older.root, older.root, older.root]);
  });
});
