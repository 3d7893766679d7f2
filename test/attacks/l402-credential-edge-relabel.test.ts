// Issue 18, review of link renewal (history v8), high (names the payer): the linking window is counted in the
// provider's epoch labels (`CREDENTIAL_LINK_EPOCHS`: a proof of epoch e counts entries of e-6 .. e+6), but the
// provider picks the label at an epoch's edge (`checkCredentialEpoch` accepts a label up to
// CREDENTIAL_EPOCH_SKEW_SECONDS, 300 s, off the payer's clock), and the operator links a payer's visits by real time.
// Labelling a visit made just after an epoch's start with the last epoch stretches the label gap to the next visit
// by one: two visits 6 days apart in real time (the gap the client counts as linked between two ordinary labels: a
// payer whose job runs at 00:02 every day) get labels 7 apart, which the client counts as unlinked, the operator
// linking them exactly as it links any two visits 6 days apart. The same holds for renewal: a link renewed at the
// stretched label leaves the window one real day early.
// Steps (one node N1, one origin, the payer's clock the real one, each snapshot hiding the payer among 8, both
// together among the payer alone: `driftingSnapshots`):
//   1. day d, 00:02 (payer's clock): the operator's server, its clock 4 minutes behind (chosen or honest skew), asks
//      for epoch d-1 against the older root: within the skew, reserved under label d-1;
//   2. day d+6, 00:02, exactly 6 days later: the server asks for epoch d+6 against the newer root: label d+6 is 7
//      after d-1, the window (d .. d+12) holds nothing of N1: reserved.
// The control: the same two visits, the server's clock honest at step 1 (label d): step 2 is refused `WOULD_LINK`.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  CREDENTIAL_EPOCH_SECONDS,
  CredentialBatcher,
  credentialEpoch,
  L402Provider,
  MemoryRootKeyStore,
} from '../../src/l402/index.js';
import { voteVerifier } from '../fixtures/zk.js';
import { driftingSnapshots, MIN_SCORE, operatorNodes, recordingHolder } from '../l402/credential-fixture.js';

const DAY_MS = CREDENTIAL_EPOCH_SECONDS * 1000;
/** How far behind the payer's clock the server's runs at step 1: within the tolerated skew. */
const LAG_MS = 240_000;

async function relabelled(lagging: boolean, leading = false) {
  const { clock, providerNode, call } = await operatorNodes();
  // 00:02 of the next day on the payer's clock.
  const start = Math.ceil(clock.now() / DAY_MS) * DAY_MS;
  clock.advance(start + 120_000 - clock.now());
  const batcher = new CredentialBatcher(await voteVerifier());
  const payer = generateAgentKey();
  const { older, newer } = await driftingSnapshots(payer);
  const { holder, proved } = await recordingHolder(payer, [older, newer]);
  const gating = (root: bigint, serverClock: ManualClock) =>
    new L402Provider({
      lightning: providerNode,
      rootKeys: new MemoryRootKeyStore(),
      service: 'weather',
      price: () => 1_000,
      clock: serverClock,
      credential: { minScore: MIN_SCORE, roots: () => [root], verifier: batcher },
    });
  const first = await call(holder)(
    gating(older.root, lagging ? new ManualClock(clock.now() - LAG_MS) : clock),
    'http://weather.test',
  );
  const day = credentialEpoch(clock.now() / 1000);
  // The label step 1 was reserved under: the origin's entry of that epoch.
  const labels = [day - 1, day].filter(
    (epoch) => holder.history.shownAt('origin:http://weather.test', epoch) !== undefined,
  );
  // Exactly 6 days later; or, moving the other end too, 23:58 of that day, the server's clock 4 minutes ahead (label
  // d+7, 8 after d-1), still within the 7 real days the client counts two ordinary labels (d, d+6) linked over.
  clock.advance(leading ? 7 * DAY_MS - 2 * 120_000 : 6 * DAY_MS);
  const last = await call(holder)(
    gating(newer.root, leading ? new ManualClock(clock.now() + LAG_MS) : clock),
    'http://weather.test',
  );
  return { first, labels, last, proved, day };
}

describe('a label chosen at the edge stretches the linking window by a real day', () => {
  it('sets the scene: step 1 is reserved under the last epoch, within the skew', async () => {
    const { first, labels, proved, day } = await relabelled(true);
    expect(first).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).not.toHaveLength(0);
    expect(labels).toEqual([day - 1]);
  });

  it('refuses step 2 when step 1 is labelled with its own day (the control)', async () => {
    const { last, proved, labels, day } = await relabelled(false);
    expect(labels).toEqual([day]);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(1);
  });

  it('refuses step 2, 6 real days after step 1, when step 1 was labelled the day before', async () => {
    const { last, proved } = await relabelled(true);
    // The attack: the payer proves against the newer root, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(1);
  });

  it('refuses step 2 when both ends are relabelled: labels d-1 and d+7, 6 days 23:56 apart in real time', async () => {
    const { last, proved } = await relabelled(true, true);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(1);
  });
});
