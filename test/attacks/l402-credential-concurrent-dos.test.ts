// Issue 18 second review: the cap on refused credential proofs per paid token (CREDENTIAL_ATTEMPTS) is read before
// the proof is verified and written after, so requests sent together all read 0 refusals and are all verified. One
// payment then still buys as many Groth16 checks as the payer sends at once (and, the bad proofs sharing one batch,
// the batcher's bisection on top).
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

describe('a paid token buys a bounded number of credential checks, sent at once too', () => {
  it('does not verify every one of many concurrent retries of one paid token', async () => {
    const market = await credentialMarket();
    let verified = 0;
    const counting = new (class extends CredentialBatcher {
      override verify(proof: VoteProof) {
        verified++;
        return super.verify(proof);
      }
    })((await zk()).verifier);
    const gated = market.provider('gated', {
      credential: { minScore: 1_000_000, roots: () => [market.snapshot.root], verifier: counting },
    });
    const payer = market.agents.high;
    // A well-formed proof (valid points) made for another token: it passes parsing and costs a full check.
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
    // The attack: 20 retries of the one paid token, sent together rather than one after another.
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        gated.handle(
          new Request('http://provider.test/forecast', {
            headers: { authorization: `L402 ${tokens[0]}:${preimage}`, 'agora-credential': wrong },
          }),
        ),
      ),
    );
    for (const response of responses) expect(response.status).not.toBe(200);
    expect(verified).toBeLessThanOrEqual(3);
  }, 180_000);
});
