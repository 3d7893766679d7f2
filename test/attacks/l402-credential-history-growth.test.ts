// Issue 18 sixth review (medium, availability): the agent's credential history keeps, per provider node key and
// epoch, the whole list of members its proof hides among (64-hex agent ids: every member reaching the level asked),
// reserved before proving and kept whether or not anything is paid, and every step (3 per anonymous purchase: the
// node's mark, its epoch, the reservation) re-reads, parses, re-writes and flushes the whole file under its lock.
// Any origin the payer calls can add one such list per request for free: its challenge's invoice is signed by a fresh
// throwaway key (nobody can pay it, nothing is paid) and asks the lowest level, which most members reach. The entries
// stay 7 epochs. Measured: 100 entries of a 10,000-member level make a 67 MB history, after which one step takes
// about 5 s on the 2-core machine (`node` on the built library, see the sixth review's report): every purchase of
// the agent then takes three of those, and another process of the agent waiting for the lock gives up after 2 s with
// `IO`. An honest payer reaches the same size with 20 gating nodes over a week. Here: 30 requests to one origin, a
// level 2,000 members reach, leave a history of about 4 MB.
// Fixed: the history writes each member once and each set as a bitmap over that list (a bit per member per entry,
// not 67 characters); an origin may name at most `MAX_UNPAID_NODES_PER_ORIGIN` (4) node keys for pseudonyms in the
// linking window whose invoices were never paid, any further one refused with `LIMIT_REACHED` before anything is
// recorded; and a step that changes nothing writes nothing. Here the history ends at about 140 kB (the 2,000 ids
// once, 4 bitmaps), whatever the number of requests; many origins each add a bitmap (n / 8 bytes) and their marks.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { computeSnapshot, credentialHolder } from '../../src/governance/index.js';
import { fileAgentState, generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import {
  CredentialBatcher,
  CredentialHistory,
  credentialWeight,
  L402Provider,
  l402Fetch,
  MAX_UNPAID_NODES_PER_ORIGIN,
  MemoryRootKeyStore,
} from '../../src/l402/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import type { Prover, Verifier } from '../../src/zk/index.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'agora-history-growth-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

/** Members in the snapshot, all reaching the lowest level. */
const MEMBERS = 2_000;
/** Requests the payer makes to the malicious origin. */
const REQUESTS = 30;

describe("an origin's unpaid challenges do not grow the agent's credential history without bound", () => {
  it('30 requests to one origin naming fresh node keys leave a history under 256 kB', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const network = new SimNetwork({ clock });
    const payerNode = network.createNode('payer');
    const payer = generateAgentKey();
    const identity = await zkIdentity(payer);
    // A network's snapshot: the payer and 1,999 others (commitments only matter as leaves), all at 1,000 ppb or more.
    const base = new Map<string, bigint>([[payer.id, credentialWeight(50_000_000)]]);
    const commitments = new Map<string, bigint>([[payer.id, identity.commitment]]);
    for (let i = 1; i < MEMBERS; i++) {
      const id = randomBytes(32).toString('hex');
      base.set(id, credentialWeight(10_000));
      commitments.set(id, BigInt(`0x${randomBytes(31).toString('hex')}`));
    }
    const snapshot = {
      ...(await computeSnapshot({ mode: 'reputation', base, commitments, delegations: [], asOf: 0 })),
      asOf: 0,
    };
    // The agent's history in its home, as `agora fetch` and a library buyer keep it. No Groth16 proof is made: the
    // prover throws after the reservation (as the fixtures' recording holder), as a payment that fails would.
    const path = join(home, 'credential-history.json');
    const prover = {
      prove: async () => {
        throw new Error('a pseudonym is being proved');
      },
    } as unknown as Prover;
    const history = await CredentialHistory.open(fileAgentState(path));
    const holder = await credentialHolder(prover, payer.id, identity.secret, [snapshot], { history });
    // The malicious origin answers each request with a gating challenge of a fresh node (an unpayable invoice).
    const verifier = new CredentialBatcher(async () => ({}) as Verifier);
    const fresh = () =>
      new L402Provider({
        lightning: network.createNode(`throwaway-${randomBytes(4).toString('hex')}`),
        rootKeys: new MemoryRootKeyStore(),
        service: 'api',
        price: () => 1_000,
        clock,
        credential: { minScore: 1_000, roots: () => [snapshot.root], verifier },
      });
    const codes: unknown[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const origin = fresh();
      await l402Fetch(
        'http://evil.test/anything',
        {},
        {
          lightning: payerNode,
          maxPriceMsat: 10_000,
          credential: holder,
          clock,
          fetch: async (input, init) =>
            origin.handle(new Request(input, init), async () => new Response('ok')),
        },
      ).catch((error: { code?: unknown }) => codes.push(error.code));
    }
    const { size } = await stat(path);
    console.log(
      `credential history after ${REQUESTS} unpaid challenges of ${MEMBERS} members: ${size} bytes`,
    );
    // Was one member list per request, about 4 MB, re-read and re-written by every later step.
    expect(size).toBeLessThan(256 * 1024);
    // The origin's first node keys were reserved (the proof then failing); every later one refused before that.
    expect(codes.filter((code) => code === ErrorCode.LimitReached)).toHaveLength(
      REQUESTS - MAX_UNPAID_NODES_PER_ORIGIN,
    );
  });
});
