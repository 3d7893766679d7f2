// Issue 18 review: a refused credential leaves the paid token usable with another Agora-Credential, and nothing
// counts the refusals. One payment then buys as many Groth16 verifications as the payer sends (each a pairing check,
// tens per second on this machine): a paid token must not buy unbounded proof checks.
// Second review: the refusal count is read before the proof is verified and written after, so retries sent together
// all read 0 refusals and are all verified (and, the bad proofs sharing one batch, bisected too).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CredentialBatcher,
  decodeMacaroon,
  formatCredentialHeader,
  parseChallenge,
  parseCredentialCaveat,
  proveCredential,
} from '../../src/l402/index.js';
import { decodeInvoice } from '../../src/lightning/index.js';
import type { VoteProof } from '../../src/zk/index.js';
import { credentialMarket, zk } from '../l402/credential-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

/**
 * A gated provider counting the proofs it verifies, and one paid token of `high` to retry with a well-formed proof
 * (valid points) made for another token: it passes parsing and costs a full check.
 */
async function paidTokenWithWrongProof() {
  const market = await credentialMarket();
  const counter = { verified: 0 };
  const counting = new (class extends CredentialBatcher {
    override verify(proof: VoteProof) {
      counter.verified++;
      return super.verify(proof);
    }
  })((await zk()).verifier);
  const gated = market.provider('gated', {
    credential: { minScore: 1_000_000, roots: () => [market.snapshot.root], verifier: counting },
  });
  const payer = market.agents.high;
  const other = await gated.handle(new Request('http://provider.test/forecast'));
  const o = parseChallenge(other.headers.get('www-authenticate') as string);
  const om = decodeMacaroon(o.tokens[0] as string);
  const oc = om.caveats.find((c) => c.startsWith('agora_anon_reputation=')) as string;
  const wrong = formatCredentialHeader(
    await proveCredential(
      payer.holder,
      parseCredentialCaveat(oc.slice(oc.indexOf('=') + 1)),
      { provider: decodeInvoice(o.invoice).payee, service: 'weather' },
      om.identifier,
    ),
  );

  const challenge = await gated.handle(new Request('http://provider.test/forecast'));
  const { tokens, invoice } = parseChallenge(challenge.headers.get('www-authenticate') as string);
  const { preimage } = await payer.node.payInvoice(invoice);
  const retry = () =>
    gated.handle(
      new Request('http://provider.test/forecast', {
        headers: { authorization: `L402 ${tokens[0]}:${preimage}`, 'agora-credential': wrong },
      }),
    );
  return { counter, retry };
}

describe('a paid token buys a bounded number of credential checks', () => {
  it('does not verify a fresh proof for every retry of one paid token', async () => {
    const { counter, retry } = await paidTokenWithWrongProof();
    for (let i = 0; i < 20; i++) expect((await retry()).status).not.toBe(200);
    // 20 refused retries of one token: at most a handful of pairing checks should have been spent.
    expect(counter.verified).toBeLessThanOrEqual(3);
  }, 180_000);

  it('does not verify every one of many retries of one paid token sent at once', async () => {
    const { counter, retry } = await paidTokenWithWrongProof();
    // The attack: the 20 retries sent together rather than one after another.
    const responses = await Promise.all(Array.from({ length: 20 }, retry));
    for (const response of responses) expect(response.status).not.toBe(200);
    expect(counter.verified).toBeLessThanOrEqual(3);
  }, 180_000);
});
