// Issue 18, review of link renewal (history v8), medium (resource exhaustion, availability): every reservation
// naming two scopes records its whole component (`linkedScopes`) linked again in its own epoch, one `ScopeLink` per
// distinct set of scopes. One operator with one Lightning node N1 and many host names (a wildcard domain: each host
// name is a fresh origin, free) grows the component by one origin per request, and each request writes a new link
// listing the whole component: the links of one epoch list 2 + 3 + ... + (n + 1) scopes, quadratic in the origins the
// payer is led to call, where before v8 (one link per reservation, two scopes) and for every other part of the
// history (an entry per scope, `MAX_UNPAID_NODES_PER_ORIGIN`) it is linear. Every step re-reads, parses and rewrites
// the whole document and walks the links (`componentOf`, per reservation and per scope), so each further request costs
// the payer more than the last. Nothing is paid: the reservation is written before the proof (here the prover throws,
// as a payment failing would leave it).
// Steps: in one epoch, origins o0.test .. o(n-1).test each answer with a credential challenge of N1 against the
// same root (the payer and 9 others reach the level: every reservation passes); the history is read back.
// Measured: n = 60 leaves 1,890 scope names in the links (n(n+3)/2) against 2n = 120 before v8; n = 300 leaves 45,450
// names, a 1.27 MB document (the members and entries are a few kB of it), re-read, parsed and written at every step.
// At 1,000 host names in one epoch: about 500,000 names, some 14 MB per step, three steps per purchase.
// Fixed: a renewal is recorded as a spanning tree (`linkComponent`): only the pairs, from the reservation's first
// scope, that join the pieces this epoch's links leave apart, at most one per scope per epoch; `linkedScopes` gives
// what whole-component links gave (test/l402/credential-history.test.ts compares them). No format change.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { credentialHolder } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey, memoryAgentState, zkIdentity } from '../../src/identity/index.js';
import { CredentialHistory, parseCredentialHistory } from '../../src/l402/index.js';
import type { Prover } from '../../src/zk/index.js';
import { operatorNodes, SCORES, snapshotOf } from '../l402/credential-fixture.js';

const ORIGINS = 60;

describe('link renewal grows the credential history quadratically in the origins one node is named by', () => {
  it(`${ORIGINS} host names naming one node in one epoch leave links linear in the origins`, async () => {
    const { gatingRoots, call } = await operatorNodes();
    const payer = generateAgentKey();
    const others = Array.from({ length: 9 }, () => generateAgentKey());
    const snapshot = await snapshotOf(
      new Map<AgentKey, number>([
        [payer, SCORES.high],
        ...others.map((key) => [key, SCORES.high] as [AgentKey, number]),
      ]),
    );
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    let proved = 0;
    const prover = {
      prove: async () => {
        proved++;
        throw new Error('a pseudonym is being proved');
      },
    } as unknown as Prover;
    const holder = await credentialHolder(prover, payer.id, (await zkIdentity(payer)).secret, [snapshot], {
      history,
    });
    const provider = gatingRoots('weather', [snapshot.root]);
    for (let at = 0; at < ORIGINS; at++) {
      const outcome = await call(holder)(provider, `http://o${at}.test`);
      expect(outcome).not.toMatchObject({ code: ErrorCode.WouldLink });
    }
    // Every challenge was reserved (the prover asked each time): the operator paid nothing for any of them.
    expect(proved).toBe(ORIGINS);
    const state = parseCredentialHistory((await store.read()) as string);
    const names = [...state.links.values()].reduce((sum, link) => sum + link.scopes.length, 0);
    // One component: N1 and every origin. Linear would be a bounded number of names per origin.
    expect(
      history.linkedScopes('origin:http://o0.test', [...state.links.values()][0]?.epoch ?? -1),
    ).toHaveLength(ORIGINS + 1);
    expect(names).toBeLessThanOrEqual(4 * ORIGINS);
  });
});
