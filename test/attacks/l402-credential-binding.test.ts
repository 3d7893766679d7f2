// Issue 18: an anonymous reputation credential must hold for one provider, one token, one epoch and a root the
// provider accepts now, and name its payer's pseudonym truly. Each case replays one honest credential where it was
// not made for: another token, another provider, a tampered pseudonym, a root the provider dropped, a past epoch;
// and an unpaid caller's credential must cost the provider no verification and leave nothing behind.
import { beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url, utf8 } from '../../src/core/index.js';
import { CREDENTIAL_EPOCH_SECONDS, CredentialBatcher } from '../../src/l402/index.js';
import type { VoteProof } from '../../src/zk/index.js';
import { buyToken, credentialMarket, snapshotOf, zk } from '../l402/credential-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

const reason = async (response: Response) => ((await response.json()) as { reason: string }).reason;

describe('a credential holds for its provider, token, epoch and an accepted root only', () => {
  it('refuses it with another token, at another provider, with a tampered pseudonym or a dropped root', async () => {
    const market = await credentialMarket();
    // A provider with a counting verifier.
    let roots = [market.snapshot.root];
    let verified = 0;
    const { verifier } = await zk();
    const counting = new (class extends CredentialBatcher {
      override verify(proof: VoteProof) {
        verified++;
        return super.verify(proof);
      }
    })(verifier);
    const gated = market.provider('gated', {
      credential: { minScore: 1_000_000, roots: () => roots, verifier: counting },
    });
    const b = market.provider('b');

    const first = await buyToken(market.agents.high, gated);
    const credential = await first.prove();

    // An unpaid caller's credential is not even looked at: a new challenge, no verification, nothing cached.
    const unpaid = await gated.handle(
      new Request('http://provider.test/forecast', { headers: { 'agora-credential': credential } }),
    );
    expect(unpaid.status).toBe(402);
    expect(verified).toBe(0);

    // Another token of the same provider.
    const second = await buyToken(market.agents.high, gated);
    const other = await second.send(credential);
    expect(other.status).toBe(402);
    expect(await reason(other)).toContain('does not hold');

    // Another provider (with its own token): the scope names the provider.
    const atB = await buyToken(market.agents.high, b);
    const relayed = await atB.send(credential);
    expect(relayed.status).toBe(402);
    expect(await reason(relayed)).toContain('does not hold');

    // A tampered pseudonym (to shed a ban): the nullifier is a public signal of the proof.
    const parsed = JSON.parse(Buffer.from(credential, 'base64url').toString()) as { nullifier: string };
    const tampered = toBase64Url(
      utf8(JSON.stringify({ ...parsed, nullifier: (BigInt(parsed.nullifier) + 1n).toString() })),
    );
    const forged = await first.send(tampered);
    expect(forged.status).toBe(402);

    // The provider moved on to a newer snapshot, dropping this root: refused before any verification.
    const newer = await snapshotOf(new Map([[market.agents.high.key, 60_000_000]]));
    roots = [newer.root];
    const before = verified;
    const dropped = await first.send(credential);
    expect(dropped.status).toBe(402);
    expect(await reason(dropped)).toContain('does not accept');
    expect(verified).toBe(before);

    // The same credential on its own token, against a root still accepted: served.
    roots = [newer.root, market.snapshot.root];
    const served = await first.send(credential);
    expect(served.status).toBe(200);

    // In the next epoch the token's pseudonym is over, its cached verdict too: one token never shows a payer's
    // pseudonyms of two epochs side by side.
    market.clock.advance(CREDENTIAL_EPOCH_SECONDS * 1000);
    const late = await first.send(credential);
    expect(late.status).toBe(401);
  }, 120_000);
});
