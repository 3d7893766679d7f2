// Issue 18, review r18h of e0d74bc/8e4a913 (the visit recording), medium (growth an operator can force), fixed.
// Since f18g every 402 naming a node key and every request sending a held token is recorded as a visit
// (`CredentialHistory.refusedVisit`): each visited scope with a history gets a refused entry at the visit's epoch
// (carrying what its component left) and its component's link pairs renewed at that epoch. Only `reserve` drops
// entries that no epoch the payer may still prove can see; `refusedVisit` dropped none. A payer that proved once at
// a node and then keeps buying an ungated service of it (or visiting any origin whose 402s name that node: a relay of
// an old invoice of it) adds an entry per visited scope and a link pair per epoch, for as long as it does, and never
// proves anywhere again (no reservation): the history grows without bound, and every 402 and token use re-reads it
// under its lock. Here: 3 records a day (N1's and one.test's refused entries, a link pair), 180 records after 60 days,
// every one of them kept, where at most the window's (`CREDENTIAL_LINK_EPOCHS + 2` labels) can still be asked.
// Steps: e0, one.test names N1 against left (reserved); e0+1 .. e0+60, one.test sells an ungated service of N1 each
// day (paid, recorded as visits); then three.test names N1 against right (left and right share the payer alone).
// Fixed: `refusedVisit` drops what `reserve` drops at the same epoch (entries before `epoch - LINK_REACH`: out of the
// window of `epoch - 1`, the earliest label the payer may still accept). The chain of visits still carries left's
// members forward: the last step is refused `WOULD_LINK` before and after the fix (checked).
// No Groth16 proof is made: the holder's prover hands back a proof of the right shape, refused by the provider.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { credentialHolder } from '../../src/governance/index.js';
import { generateAgentKey, memoryAgentState, zkIdentity } from '../../src/identity/index.js';
import {
  CREDENTIAL_LINK_EPOCHS,
  CredentialHistory,
  credentialEpoch,
  L402Provider,
  l402Fetch,
  MemoryRootKeyStore,
} from '../../src/l402/index.js';
import type { Prover } from '../../src/zk/index.js';
import { DUMMY_PROOF, operatorNodes, splitSnapshots } from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;

describe('visits alone grow the credential history without bound', () => {
  it('keeps no entry out of every window after 60 days of ungated purchases, and still carries the chain', async () => {
    const { clock, payerNode, providerNode: n1, gatingAt, call: callOf } = await operatorNodes();
    const payer = generateAgentKey();
    const { base, left, right } = await splitSnapshots(payer);
    const store = memoryAgentState();
    const proved: bigint[] = [];
    const prover = {
      prove: async (statement: { root: bigint }) => {
        proved.push(statement.root);
        return DUMMY_PROOF;
      },
    } as unknown as Prover;
    const holder = await credentialHolder(
      prover,
      payer.id,
      (await zkIdentity(payer)).secret,
      [base, left, right],
      {
        history: await CredentialHistory.open(store),
      },
    );
    const call = callOf(holder);
    await call(gatingAt(n1, left.root), 'http://one.test');
    expect(proved).toEqual([left.root]);
    const ungated = new L402Provider({
      lightning: n1,
      rootKeys: new MemoryRootKeyStore(),
      service: 'weather',
      price: () => 1_000,
      clock,
    });
    for (let day = 1; day <= 60; day++) {
      clock.advance(DAY_MS);
      const response = await l402Fetch(
        'http://one.test/forecast',
        {},
        {
          lightning: payerNode,
          maxPriceMsat: 10_000,
          credential: holder,
          clock,
          fetch: async (input, init) =>
            ungated.handle(new Request(input, init), async () => new Response('ok')),
        },
      );
      expect(response.status).toBe(200);
    }
    const now = credentialEpoch(clock.now() / 1000);
    const document = JSON.parse((await store.read()) as string) as Record<string, { epoch: number }[]>;
    const records = ['shown', 'refused', 'links', 'proofs'].flatMap((kind) => document[kind] ?? []);
    // The attack's measure: 180 records before the fix, one set a day since e0.
    expect(records.length).toBeLessThanOrEqual(3 * (CREDENTIAL_LINK_EPOCHS + 3));
    for (const record of records)
      expect(record.epoch).toBeGreaterThanOrEqual(now - CREDENTIAL_LINK_EPOCHS - 2);
    // What is dropped was out of every window: the chain still carries left's members (left and right: the payer).
    expect(await call(gatingAt(n1, right.root), 'http://three.test')).toMatchObject({
      code: ErrorCode.WouldLink,
    });
    expect(proved).toEqual([left.root]);
  });
});
