// Issue 18 tenth review (medium, privacy): what a node key (or origin) was shown counts over
// CREDENTIAL_LINK_EPOCHS (7) epochs, and a proof's entry carries forward the members common to everything before it
// ("a payer using a node every few days stays counted over all of them"). A refusal's entry does not: it keeps only
// the members that refusal itself ruled out (nothing at all when it rules out none), neither the members the proofs
// before it left nor those earlier refusals ruled out. Yet the refusal is an event the operator sees (a challenge
// never paid, linked by the same timing and address), recorded in that very window. One node, one origin, one service:
// 1. epoch e0: the older root, the providers' level: proved among the 8 reaching it there;
// 2. epoch e0+6: a third accepted root where the payer has no leaf: refused, its 8 members ruled out and recorded;
//    the entry keeps no members of step 1;
// 3. epoch e0+12: the newer root, the same level. Its window (e0+6 .. e0+18) holds only the step-2 refusal, which
//    carries nothing from step 1: proved among the newer root's 8.
// Impact: the operator links step 1 to step 2 and step 2 to step 3 (6 epochs apart each, within the 7 the client
// assumes), as the client assumes it links a proof every 6 epochs; the two pseudonyms hide the payer among the
// members reaching the level in both roots: here the payer alone. With proofs at steps 1-2-3 the same chain is
// refused (the control, last test). The refusal-bracket variant (second test): a refusal at e0 ruling out everyone
// above the payer, a bridge refusal at e0+6 (a level nobody reaches: it rules out nobody, so records nothing), then a
// lower level proved at e0+12 among all 8 reaching it: the payer is the only one of them below the e0 level. A
// challenge the payer leaves unpaid by `WOULD_LINK` records nothing either, and bridges alike (third test).
// Fixed: every unpaid challenge of a credential reservation (a refusal, and one left unpaid for no known root, too few
// members or `WOULD_LINK`) records, under every scope and its epoch, what its window left in common (`seen.among`)
// and every member ruled out there (`seen.excluded` with its own): a refused entry gains `among` (history v4) and
// `seenAt` intersects it like a proof's, so the bridge carries step 1's members to step 3 (refused `WOULD_LINK`).
// Requests the history never sees (ungated ones to the same origin) still bridge the window (docs/security.md).
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws (the reservation,
// made before proving, stays).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { CREDENTIAL_LINK_EPOCHS, credentialEpoch } from '../../src/l402/index.js';
import {
  driftingOperator,
  driftingSnapshots,
  MIN_SCORE,
  operatorNodes,
  recordingHolder,
  SCORES,
  snapshotOf,
} from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;
/** A level no member of the fixtures' snapshots reaches (every score is at most 50,000,000 ppb). */
const NOBODY = 100_000_000;
/** A level above the payer's score (2,000,000 ppb) and below the 7 others' (50,000,000 ppb). */
const HIGHER = 25_000_000;

describe('a refusal no longer bridges two proofs 12 epochs apart: it carries the first forward (tenth review)', () => {
  it('refuses, 6 epochs after a refusal that came 6 epochs after an older-root proof, a newer root sharing only the payer', async () => {
    const { clock, providerNode, gatingRoots, call } = await operatorNodes();
    const payer = generateAgentKey();
    const { older, newer } = await driftingSnapshots(payer);
    // A third accepted snapshot where the payer has no leaf: the bridge refusal rules out its 8 (none of the others).
    const strangers = await snapshotOf(
      new Map(Array.from({ length: 8 }, () => [generateAgentKey(), SCORES.high] as [AgentKey, number])),
    );
    const { holder, proved } = await recordingHolder(payer, [older, newer, strangers]);
    const fetch = call(holder);
    await fetch(gatingRoots('weather', [older.root]));
    expect(proved.map((statement) => statement.root)).toEqual([older.root]);
    const first = holder.history.seenAt(providerNode.nodeKey, credentialEpoch(clock.now() / 1000))?.among;
    expect(first?.size).toBe(8);
    clock.advance(6 * DAY_MS);
    // The bridge: a root where the payer has no leaf; refused before paying, seen by the operator, and recorded.
    expect(await fetch(gatingRoots('weather', [strangers.root]))).toMatchObject({
      code: ErrorCode.InvalidProof,
    });
    const bridge = credentialEpoch(clock.now() / 1000);
    // What the step-3 epoch's window will hold at this node: the refusal's 8 ruled out, and the step-1 proof's 8
    // carried forward by the refusal's entry (before the fix it carried none of them), with its root (since the
    // eleventh review: kept while the node lists it).
    expect(holder.history.seenAt(providerNode.nodeKey, bridge + CREDENTIAL_LINK_EPOCHS - 1)).toEqual({
      roots: new Set([older.root]),
      among: first,
      excluded: new Set(strangers.members.map((member) => member.agent)),
    });
    clock.advance(6 * DAY_MS);
    const third = await fetch(gatingRoots('weather', [newer.root]));
    // The attack's measure: proved against the newer root, linked through the step-2 refusal to the older-root
    // pseudonym: the payer hides among 1.
    expect(proved.map((statement) => statement.root)).toEqual([older.root]);
    expect(third).toMatchObject({ code: ErrorCode.WouldLink });
  });

  it('refuses, through a bridge refusal, a lower level among members an earlier refusal ruled out', async () => {
    const { clock, gatingRoots, call } = await operatorNodes();
    const payer = generateAgentKey();
    const others = Array.from({ length: 7 }, () => generateAgentKey());
    const snapshot = await snapshotOf(
      new Map([[payer, 2 * MIN_SCORE], ...others.map((key) => [key, SCORES.high] as [typeof key, number])]),
    );
    const { holder, proved } = await recordingHolder(payer, [snapshot]);
    const fetch = call(holder);
    // e0: the payer refuses 25,000,000 ppb, ruling out the 7 others.
    expect(await fetch(gatingRoots('weather', [snapshot.root], HIGHER))).toMatchObject({
      code: ErrorCode.InvalidProof,
    });
    clock.advance(6 * DAY_MS);
    // e0+6: a level nobody reaches; this refusal rules out nobody, and its entry keeps nothing of e0's.
    expect(await fetch(gatingRoots('weather', [snapshot.root], NOBODY))).toMatchObject({
      code: ErrorCode.InvalidProof,
    });
    clock.advance(6 * DAY_MS);
    const third = await fetch(gatingRoots('weather', [snapshot.root], MIN_SCORE));
    // The attack's measure: "at least 1,000,000 ppb" to the operator that saw the payer refuse 25,000,000 ppb two
    // linked requests before: one of the 8 lies between, the payer.
    expect(proved).toEqual([]);
    expect(third).toMatchObject({ code: ErrorCode.WouldLink });
  });

  it('refuses it after a bridge the payer left unpaid with WOULD_LINK (which records nothing)', async () => {
    const { clock, older, newer, proved, gating, call } = await driftingOperator();
    await call(gating('weather', older.root));
    clock.advance(6 * DAY_MS);
    // The bridge: the newer root, 6 epochs after the older one: refused (1 in common), nothing recorded.
    expect(await call(gating('weather', newer.root))).toMatchObject({ code: ErrorCode.WouldLink });
    clock.advance(6 * DAY_MS);
    // The same challenge 6 epochs later finds an empty window and is proved.
    const third = await call(gating('weather', newer.root));
    expect(proved.map((statement) => statement.root)).toEqual([older.root]);
    expect(third).toMatchObject({ code: ErrorCode.WouldLink });
  });

  it('refuses it when the bridge is a proof (its entry carries the older root set forward): the check the refusal skips', async () => {
    const { clock, older, newer, proved, gating, call } = await driftingOperator();
    await call(gating('weather', older.root));
    clock.advance(6 * DAY_MS);
    await call(gating('weather', older.root));
    expect(proved.map((statement) => statement.root)).toEqual([older.root, older.root]);
    clock.advance(6 * DAY_MS);
    expect(await call(gating('weather', newer.root))).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
