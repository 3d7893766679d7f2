// Issue 18 review, privacy: a provider (or the payer's own choices) must not learn more than "some member of a large
// enough set reaches the threshold, this epoch". (a) A provider that writes a stale or future epoch in its challenge
// would keep one pseudonym per payer forever and link its purchases: the client checks the epoch against its clock.
// (b) A threshold only a few leaves reach names its payer among few: the client refuses below 8. (c) A payer below
// the threshold in the newest snapshot that falls back to an older one tells the provider so: it refuses instead.
// (d) A verdict cached for a token outlived the root it was proved against: it ends with that root.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { credentialHolder } from '../../src/governance/index.js';
import { zkIdentity } from '../../src/identity/index.js';
import {
  CREDENTIAL_EPOCH_SECONDS,
  CREDENTIAL_EPOCH_SKEW_SECONDS,
  checkCredentialEpoch,
  credentialEpoch,
} from '../../src/l402/index.js';
import { rejectedAgoraError, thrownAgoraError } from '../helpers.js';
import { buyToken, credentialMarket, SCORES, snapshotOf, zk } from '../l402/credential-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

const DAY_MS = CREDENTIAL_EPOCH_SECONDS * 1000;

describe('anonymous credentials leak no more than the threshold', () => {
  it('refuses a challenge whose epoch is not the current one, before proving or paying', async () => {
    const market = await credentialMarket();
    const payer = market.agents.high;
    for (const offset of [-3 * DAY_MS, 2 * DAY_MS]) {
      // The provider's clock (its epoch) is days off the payer's.
      const skewed = market.provider(`skewed${offset}`, {
        clock: new ManualClock(market.clock.now() + offset),
      });
      const balance = payer.node.spendableMsat;
      const error = await rejectedAgoraError(market.buy(payer, skewed), ErrorCode.InvalidToken);
      expect(error.message).toContain('epoch');
      expect(payer.node.spendableMsat).toBe(balance);
    }
  }, 30_000);

  it('accepts exactly the current epoch, or its neighbour within the skew of their boundary', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.integer({ min: -3, max: 3 }),
        (now, shift) => {
          const epoch = credentialEpoch(now) + shift;
          const start = epoch * CREDENTIAL_EPOCH_SECONDS;
          const near =
            now >= start - CREDENTIAL_EPOCH_SKEW_SECONDS &&
            now < start + CREDENTIAL_EPOCH_SECONDS + CREDENTIAL_EPOCH_SKEW_SECONDS;
          if (near) checkCredentialEpoch(epoch, now);
          else thrownAgoraError(() => checkCredentialEpoch(epoch, now), ErrorCode.InvalidToken);
          // The current epoch always passes; one two or more away never does.
          if (shift === 0) expect(near).toBe(true);
          if (Math.abs(shift) >= 2) expect(near).toBe(false);
        },
      ),
    );
    checkCredentialEpoch(credentialEpoch(1_800_000_000), 1_800_000_000);
    thrownAgoraError(() => checkCredentialEpoch(credentialEpoch(1_800_000_000) - 2, 1_800_000_000));
  });

  it('refuses to prove a threshold fewer than 8 members reach, and never falls back to an older root', async () => {
    const market = await credentialMarket();
    const { prover } = await zk();
    const high = market.agents.high;
    const secret = (await zkIdentity(high.key)).secret;
    const gated = market.provider('gated');

    // Two leaves reach the first level, one the provider's: the default anonymity set (8) is not met.
    const lonely = {
      ...high,
      holder: await credentialHolder(prover, high.key.id, secret, [market.snapshot], {
        history: high.holder.history,
      }),
    };
    const balance = high.node.spendableMsat;
    const few = await rejectedAgoraError(market.buy(lonely, gated), ErrorCode.InvalidProof);
    expect(few.message).toContain('fewer than the 8');
    expect(high.node.spendableMsat).toBe(balance);

    // The payer fell below the threshold in the newest snapshot; the provider still accepts the older one where it
    // was above. Proving against the older root would tell the provider it fell: the client refuses instead.
    const newer = await snapshotOf(
      new Map([
        [high.key, SCORES.low],
        [market.agents.low.key, SCORES.high],
      ]),
      // Taken after the first (both long settled): the newest the payer holds.
      100,
    );
    market.setRoots([newer.root, market.snapshot.root]);
    const fallen = {
      ...high,
      holder: await credentialHolder(prover, high.key.id, secret, [newer, market.snapshot], {
        history: high.holder.history,
        minAnonymity: 1,
      }),
    };
    const below = await rejectedAgoraError(market.buy(fallen, gated), ErrorCode.InvalidProof);
    expect(below.message).toContain('below');
    expect(high.node.spendableMsat).toBe(balance);
  }, 30_000);

  it('ends a cached verdict once the root it was proved against is no longer accepted', async () => {
    const market = await credentialMarket();
    const gated = market.provider('gated');
    const token = await buyToken(market.agents.high, gated);
    const credential = await token.prove();
    expect((await token.send(credential)).status).toBe(200);
    // Cached: later uses need no credential.
    expect((await token.send()).status).toBe(200);

    // The provider moves to a new snapshot and drops the old root (a newer one, or the old one found to omit
    // events): the token's verdict ends with it.
    const next = await snapshotOf(new Map([[market.agents.high.key, SCORES.high]]));
    market.setRoots([next.root]);
    const after = await token.send();
    expect(after.status).toBe(401);
    expect(await after.text()).toContain('no longer accepted');
    expect((await token.send(credential)).status).not.toBe(200);
  }, 60_000);
});
