// A small market for anonymous reputation credentials: a snapshot of three agents (one well reputed, one barely
// above the first level, one outside), two payer nodes and two providers gating on the credential, all in memory.
import { ManualClock } from '../../src/core/index.js';
import { computeSnapshot, credentialHolder, type Snapshot } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import {
  CredentialBatcher,
  CredentialHistory,
  type CredentialHolder,
  credentialWeight,
  decodeMacaroon,
  formatCredentialHeader,
  L402Provider,
  type L402ProviderOptions,
  l402Fetch,
  levelAtLeast,
  MemoryRootKeyStore,
  parseChallenge,
  parseCredentialCaveat,
  proveCredential,
  TokenCache,
} from '../../src/l402/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { decodeInvoice, SimNetwork, type SimNode } from '../../src/lightning/index.js';
import type { VerifiedReceipt } from '../../src/receipts/index.js';
import type { Prover, VoteStatement } from '../../src/zk/index.js';
import { voteVerifier, voteZk } from '../fixtures/zk.js';

/** Scores in ppb: `high` reaches the providers' 1,000,000 ppb, `low` only 2,000. */
export const SCORES = { high: 50_000_000, low: 2_000 } as const;
export const MIN_SCORE = 1_000_000;

export interface Agent {
  readonly key: AgentKey;
  readonly node: SimNode;
  readonly holder: CredentialHolder;
}

/** The prover and verifier, loaded once per test file. */
export const zk = voteZk;

/** A snapshot with its `asOf` (Unix seconds), as `acceptedSnapshots` gives it. */
export type DatedSnapshot = Snapshot & { readonly asOf: number };

/**
 * The snapshot of `agents` with the given scores, built as a `reputation.snapshot` builds it, taken at `asOf` (Unix
 * seconds; default 0, long settled).
 */
export async function snapshotOf(scores: ReadonlyMap<AgentKey, number>, asOf = 0): Promise<DatedSnapshot> {
  const base = new Map<string, bigint>();
  const commitments = new Map<string, bigint>();
  for (const [key, score] of scores) {
    base.set(key.id, credentialWeight(score));
    commitments.set(key.id, (await zkIdentity(key)).commitment);
  }
  return {
    ...(await computeSnapshot({ mode: 'reputation', base, commitments, delegations: [], asOf })),
    asOf,
  };
}

/** `payer` and `up` at {@link SCORES}' `high`, `down` at its `low`. */
function scoresOf(
  payer: AgentKey,
  up: readonly AgentKey[],
  down: readonly AgentKey[],
): Map<AgentKey, number> {
  return new Map<AgentKey, number>([
    [payer, SCORES.high],
    ...up.map((key) => [key, SCORES.high] as [AgentKey, number]),
    ...down.map((key) => [key, SCORES.low] as [AgentKey, number]),
  ]);
}

/**
 * Two snapshots of one network where `payer` reaches the providers' threshold in both beside 7 others in each, not the
 * same 7 (their scores moved between the two): each root hides the payer among 8, both together among the payer alone.
 */
export async function driftingSnapshots(
  payer: AgentKey,
): Promise<{ older: DatedSnapshot; newer: DatedSnapshot }> {
  const first = Array.from({ length: 7 }, () => generateAgentKey());
  const second = Array.from({ length: 7 }, () => generateAgentKey());
  return {
    older: await snapshotOf(scoresOf(payer, first, second)),
    newer: await snapshotOf(scoresOf(payer, second, first)),
  };
}

/**
 * Three snapshots of one network (scores moving between them) where `payer` reaches the providers' threshold: `base`
 * beside 14 others (A and B, 7 each), `left` beside A only, `right` beside B only. `base` with either holds the payer
 * among 8; `left` with `right` (so all three) the payer alone.
 */
export async function splitSnapshots(
  payer: AgentKey,
): Promise<{ base: DatedSnapshot; left: DatedSnapshot; right: DatedSnapshot }> {
  const a = Array.from({ length: 7 }, () => generateAgentKey());
  const b = Array.from({ length: 7 }, () => generateAgentKey());
  return {
    base: await snapshotOf(scoresOf(payer, [...a, ...b], [])),
    left: await snapshotOf(scoresOf(payer, a, b)),
    right: await snapshotOf(scoresOf(payer, b, a)),
  };
}

/** A level (ppb) the payer of {@link tieredSnapshot} (5,000,000) and its 7 high members reach, not its 2 low ones. */
export const MID = 3_981_072;
/** A level (ppb) only the 7 high members (50,000,000) of {@link tieredSnapshot} reach. */
export const PREMIUM = 25_118_864;

/**
 * One snapshot of `payer` at 5,000,000 ppb beside 7 high members ({@link SCORES}' `high`) and 2 low ones (2,000,000):
 * {@link MIN_SCORE} is reached by the 10, {@link MID} by the payer and the 7 high, {@link PREMIUM} by the 7 high only.
 */
export async function tieredSnapshot(payer: AgentKey): Promise<DatedSnapshot> {
  const high = Array.from({ length: 7 }, () => generateAgentKey());
  const low = Array.from({ length: 2 }, () => generateAgentKey());
  return snapshotOf(
    new Map<AgentKey, number>([
      [payer, 5 * MIN_SCORE],
      ...high.map((key) => [key, SCORES.high] as [AgentKey, number]),
      ...low.map((key) => [key, 2 * MIN_SCORE] as [AgentKey, number]),
    ]),
  );
}

/** The agents (ids) of `snapshot` whose weight reaches the level of `minScore`, as a proof at that level counts them. */
export function reachOf(snapshot: Snapshot, minScore = MIN_SCORE): Set<string> {
  return new Set(
    snapshot.members
      .filter((member) => ((member.weight >> BigInt(levelAtLeast(minScore))) & 1n) === 1n)
      .map((member) => member.agent),
  );
}

/**
 * A proof of the right shape that proves nothing (the generator of G1 and points off G2's curve): what a recording
 * prover that `shows` hands back, sent as the credential and refused by the provider's verifier.
 */
export const DUMMY_PROOF = {
  nullifier: 1n,
  proof: {
    pi_a: ['1', '2', '1'],
    pi_b: [
      ['1', '2'],
      ['3', '4'],
      ['1', '0'],
    ],
    pi_c: ['1', '2', '1'],
    protocol: 'groth16',
    curve: 'bn128',
  },
};

/**
 * A holder for `payer` over `snapshots` (the default anonymity set unless `minAnonymity` is given, a history in
 * memory) whose prover proves nothing:
 * it records in `proved` each statement it is asked for and throws, so nothing is paid or shown. With `shows` it
 * hands back {@link DUMMY_PROOF} instead: the invoice is paid and the credential sent, answered 402 by the
 * provider's verifier, so the client records the proof shown (what the "nothing new" rule counts) as for a valid
 * one. For attacks on what the client agrees to prove, which need no Groth16 proof (each costs about a second).
 */
export async function recordingHolder(
  payer: AgentKey,
  snapshots: readonly DatedSnapshot[],
  { shows = false, minAnonymity }: { shows?: boolean; minAnonymity?: number } = {},
): Promise<{ holder: CredentialHolder; proved: VoteStatement[] }> {
  const proved: VoteStatement[] = [];
  const recording = {
    prove: async (statement: VoteStatement) => {
      proved.push(statement);
      if (shows) return DUMMY_PROOF;
      throw new Error('a pseudonym is being proved');
    },
  } as unknown as Prover;
  const holder = await credentialHolder(recording, payer.id, (await zkIdentity(payer)).secret, snapshots, {
    history: CredentialHistory.inMemory(),
    ...(minAnonymity === undefined ? {} : { minAnonymity }),
  });
  return { holder, proved };
}

/** What answers the calls of {@link operatorNodes}: an {@link L402Provider}, or any server answering as one. */
export type Served = Pick<L402Provider, 'handle'>;

/**
 * One operator's Lightning node and a payer's (a channel between them) on a manual clock; `addNode(name)` gives the
 * operator another node (a channel from the payer's too). `gatingAt(node, root or roots, options)` is a service of
 * `node` gating at `minScore` against those roots (default the `weather` service at {@link MIN_SCORE}, the shared
 * batcher verifying), `gatingRoots(service, roots)` the same at the operator's first node, and `call(holder)` makes
 * separate calls (each its own token cache) of that holder's payer, giving the response or the error each ends with.
 */
export async function operatorNodes() {
  const clock = new ManualClock(1_800_000_000_000);
  const network = new SimNetwork({ clock });
  const payerNode = network.createNode('payer');
  const addNode = (name: string) => {
    const node = network.createNode(name);
    network.openChannel(payerNode, node, { capacitySat: 1_000_000 });
    return node;
  };
  const providerNode = addNode('provider');
  const batcher = new CredentialBatcher(await voteVerifier());
  const gatingAt = (
    node: SimNode,
    roots: bigint | readonly bigint[],
    {
      service = 'weather',
      minScore = MIN_SCORE,
      verifier = batcher,
      labels = clock,
      priceMsat = 1_000,
    }: {
      service?: string;
      minScore?: number;
      verifier?: CredentialBatcher;
      labels?: ManualClock;
      priceMsat?: number;
    } = {},
  ) => {
    const listed = typeof roots === 'bigint' ? [roots] : roots;
    return new L402Provider({
      lightning: node,
      rootKeys: new MemoryRootKeyStore(),
      service,
      price: () => priceMsat,
      // The provider's own clock, which its challenges' epoch labels follow (the payer's by default).
      clock: labels,
      credential: { minScore, roots: () => [...listed], verifier },
    });
  };
  const gatingRoots = (service: string, roots: readonly bigint[], minScore = MIN_SCORE) =>
    gatingAt(providerNode, roots, { service, minScore });
  const call =
    (holder: CredentialHolder) =>
    (provider: Served, origin = 'http://weather.test'): Promise<unknown> =>
      l402Fetch(
        `${origin}/forecast`,
        {},
        {
          lightning: payerNode,
          maxPriceMsat: 10_000,
          credential: holder,
          clock,
          fetch: async (input, init) =>
            provider.handle(new Request(input, init), async () => new Response('ok')),
        },
      ).catch((error: unknown) => error);
  return { clock, network, payerNode, providerNode, addNode, gatingAt, gatingRoots, call };
}

/**
 * {@link operatorNodes} with the payer's {@link driftingSnapshots} and a {@link recordingHolder} over both;
 * `gating(service, root)` is a service of the operator's node gating at `minScore` against `root` only.
 */
export async function driftingOperator() {
  const { clock, payerNode, providerNode, gatingRoots, call } = await operatorNodes();
  const payer = generateAgentKey();
  const { older, newer } = await driftingSnapshots(payer);
  const { holder, proved } = await recordingHolder(payer, [older, newer]);
  const gating = (service: string, root: bigint, minScore = MIN_SCORE) =>
    gatingRoots(service, [root], minScore);
  return { clock, payerNode, providerNode, older, newer, holder, proved, gating, call: call(holder) };
}

export async function credentialMarket() {
  const { prover, verifier } = await zk();
  const clock = new ManualClock(1_800_000_000_000);
  const network = new SimNetwork({ clock });
  const keys = { high: generateAgentKey(), low: generateAgentKey(), outsider: generateAgentKey() };
  const snapshot = await snapshotOf(
    new Map([
      [keys.high, SCORES.high],
      [keys.low, SCORES.low],
    ]),
  );
  const batcher = new CredentialBatcher(verifier);
  let roots: bigint[] = [snapshot.root];
  const banned = new Set<string>();
  const agent = async (name: keyof typeof keys): Promise<Agent> => {
    const key = keys[name];
    return {
      key,
      node: network.createNode(name),
      // Two leaves only: the fixture waives the anonymity set (tested on its own in the privacy attacks).
      holder: await credentialHolder(prover, key.id, (await zkIdentity(key)).secret, [snapshot], {
        history: CredentialHistory.inMemory(),
        minAnonymity: 1,
      }),
    };
  };
  const agents = { high: await agent('high'), low: await agent('low'), outsider: await agent('outsider') };
  const providerNode = (name: string) => {
    const node = network.createNode(name);
    for (const payer of Object.values(agents))
      network.openChannel(payer.node, node, { capacitySat: 1_000_000 });
    return node;
  };
  const provider = (name: string, options: Partial<L402ProviderOptions> = {}) => {
    const node = providerNode(name);
    const l402 = new L402Provider({
      lightning: node,
      rootKeys: new MemoryRootKeyStore(),
      service: 'weather',
      price: () => 1_000,
      identity: generateAgentKey(),
      clock,
      credential: {
        minScore: MIN_SCORE,
        roots: () => roots,
        verifier: batcher,
        banned: (pseudonym) => banned.has(pseudonym),
      },
      ...options,
    });
    const handle = (request: Request) =>
      l402.handle(request, (_request, paid) =>
        Response.json({ pseudonym: paid.pseudonym ?? null, payer: paid.payer ?? null }),
      );
    return {
      l402,
      node,
      handle,
      fetch: (input: string | URL | Request, init?: RequestInit) => handle(new Request(input, init)),
    };
  };
  /** One purchase through l402Fetch: what the handler saw, the request headers sent and the receipts given. */
  const buy = async (payer: Agent, at: ReturnType<typeof provider>, options: { identity?: boolean } = {}) => {
    const sent: Headers[] = [];
    const receipts: VerifiedReceipt[] = [];
    const response = await l402Fetch(
      'http://provider.test/forecast',
      {},
      {
        lightning: payer.node,
        maxPriceMsat: 10_000,
        credential: payer.holder,
        clock,
        ...(options.identity === false ? {} : { identity: payer.key }),
        onReceipt: (receipt: VerifiedReceipt, _event: LedgerEvent) => {
          receipts.push(receipt);
        },
        fetch: async (input, init) => {
          const request = new Request(input, init);
          sent.push(request.headers);
          return at.handle(request);
        },
      },
    );
    return { response, sent, receipts };
  };
  return {
    clock,
    agents,
    snapshot,
    provider,
    buy,
    banned,
    setRoots: (next: bigint[]) => {
      roots = next;
    },
  };
}

/**
 * Buys a token at `provider` by hand: its challenge read and paid; `prove` makes the credential it asks for with the
 * payer's holder, `send` uses the token with the credential given (or none).
 */
export async function buyToken(payer: Agent, provider: { handle(request: Request): Promise<Response> }) {
  const challenge = await provider.handle(new Request('http://provider.test/forecast'));
  if (challenge.status !== 402) throw new Error(`expected a challenge, got ${challenge.status}`);
  const { tokens, invoice } = parseChallenge(challenge.headers.get('www-authenticate') as string);
  const macaroon = decodeMacaroon(tokens[0] as string);
  const caveat = macaroon.caveats.find((c) => c.startsWith('agora_anon_reputation=')) as string;
  const requirement = parseCredentialCaveat(caveat.slice(caveat.indexOf('=') + 1));
  const prove = async () =>
    formatCredentialHeader(
      await proveCredential(
        payer.holder,
        requirement,
        { provider: decodeInvoice(invoice).payee, service: 'weather' },
        macaroon.identifier,
      ),
    );
  const { preimage } = await payer.node.payInvoice(invoice);
  const send = (credential?: string) =>
    provider.handle(
      new Request('http://provider.test/forecast', {
        headers: {
          authorization: `L402 ${tokens[0]}:${preimage}`,
          ...(credential === undefined ? {} : { 'agora-credential': credential }),
        },
      }),
    );
  return { prove, send, token: tokens[0] as string, requirement };
}

/** A day on the fixture's manual clock. */
const DAY_MS = 86_400_000;

/**
 * The link-bridge scene of the attack tests (one root per challenge at {@link MIN_SCORE}; see {@link splitSnapshots}):
 * e0, one.test names N1 against `base`; e0+1, one.test names N2 against `left` (8 left over the component); e0+8,
 * one.test names N1 with the challenge `bridge` makes (the step under test); e0+10, three.test names N1 against
 * `right`. Gives each step's outcome and the statements proved. With `bridgeBy: 'history'` the step under test is a
 * call as `agora fetch` makes it: the payer's identity and its credential history (the holder's), no credential. With
 * `bridgeOrigin` the step under test is made to that origin instead of one.test (another host name of the operator,
 * which the history has never seen).
 */
export async function linkBridgeScene(
  bridge: (scene: {
    readonly gatingAt: Awaited<ReturnType<typeof operatorNodes>>['gatingAt'];
    readonly clock: ManualClock;
    readonly n1: SimNode;
    readonly base: DatedSnapshot;
  }) => Served,
  {
    bridgeBy = 'holder',
    bridgeOrigin = 'http://one.test',
  }: { bridgeBy?: 'holder' | 'history'; bridgeOrigin?: string } = {},
) {
  const scene = await splitPayerScene();
  const { gatingAt, clock, n1, base, left, proved } = scene;
  const { steps, bridged, last } = await bridgeSteps(scene, () => bridge({ gatingAt, clock, n1, base }), {
    bridgeBy,
    bridgeOrigin,
  });
  return { steps, bridge: bridged, last, proved, base, left };
}

/**
 * The steps of {@link linkBridgeScene} over `scene` (its payer, nodes N1 and N2, roots and holder): e0, one.test names
 * N1 against `base`; e0+1, N2 against `left`; e0+8, `bridging()` (made then) is met at `bridgeOrigin`, by the
 * holder's call or (with `bridgeBy: 'history'`) a call as `agora fetch` makes it; e0+10, three.test names N1 against
 * `right`.
 */
export async function bridgeSteps(
  scene: {
    readonly clock: ManualClock;
    readonly payerNode: SimNode;
    readonly n1: SimNode;
    readonly n2: SimNode;
    readonly gatingAt: Awaited<ReturnType<typeof operatorNodes>>['gatingAt'];
    readonly payer: AgentKey;
    readonly base: DatedSnapshot;
    readonly left: DatedSnapshot;
    readonly right: DatedSnapshot;
    readonly holder: CredentialHolder;
    readonly call: (provider: Served, origin: string) => Promise<unknown>;
  },
  bridging: () => Served,
  { bridgeBy, bridgeOrigin }: { bridgeBy: 'holder' | 'history'; bridgeOrigin: string },
) {
  const { clock, payerNode, n1, n2, gatingAt, payer, base, left, right, holder, call } = scene;
  const historyCall = (provider: Served, origin: string): Promise<unknown> =>
    l402Fetch(
      `${origin}/forecast`,
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 10_000,
        identity: payer,
        history: holder.history,
        clock,
        fetch: async (input, init) =>
          provider.handle(new Request(input, init), async () => new Response('ok')),
      },
    ).catch((error: unknown) => error);
  const steps = [await call(gatingAt(n1, base.root), 'http://one.test')];
  clock.advance(DAY_MS);
  steps.push(await call(gatingAt(n2, left.root), 'http://one.test'));
  clock.advance(7 * DAY_MS);
  const bridged = await (bridgeBy === 'history' ? historyCall : call)(bridging(), bridgeOrigin);
  clock.advance(2 * DAY_MS);
  const last = await call(gatingAt(n1, right.root), 'http://three.test');
  return { steps, bridged, last };
}

/**
 * Two nodes of one operator (N1, N2) and a payer between `splitSnapshots`' three roots, its holder recording what it
 * proves, and `call` making its requests: what the bridge scenes start from.
 */
export async function splitPayerScene() {
  const { clock, payerNode, providerNode: n1, addNode, gatingAt, call: callOf } = await operatorNodes();
  const n2 = addNode('n2');
  const payer = generateAgentKey();
  const { base, left, right } = await splitSnapshots(payer);
  const { holder, proved } = await recordingHolder(payer, [base, left, right]);
  return {
    clock,
    payerNode,
    n1,
    n2,
    gatingAt,
    payer,
    base,
    left,
    right,
    holder,
    proved,
    call: callOf(holder),
  };
}

/**
 * What a fetch of the payer's is given: its credential (so its history), its history alone (as an agent that ever
 * pays anonymously gives every fetch), or neither.
 */
export type Given = 'credential' | 'history' | 'nothing';

/** The `l402Fetch` options a fetch of `scene`'s payer is `given`. */
export function givenOptions(scene: Awaited<ReturnType<typeof splitPayerScene>>, given: Given) {
  if (given === 'credential') return { credential: scene.holder };
  if (given === 'history') return { history: scene.holder.history };
  return {};
}

/**
 * N1's ungated week-long `weather` service at one.test in `scene`, and a fetch of it by the scene's payer (through
 * `tokens`, `given` its credential, its history or nothing); every answer goes through `answer`, given the request and
 * the provider's own answer to it (by default that answer, as it is).
 */
export function ungatedOneTest(
  scene: Awaited<ReturnType<typeof splitPayerScene>>,
  answer: (request: Request, own: () => Promise<Response>) => Promise<Response> = (_, own) => own(),
) {
  const ungated = new L402Provider({
    lightning: scene.n1,
    rootKeys: new MemoryRootKeyStore(),
    service: 'weather',
    price: () => 1_000,
    validForSeconds: 7 * 86_400,
    clock: scene.clock,
  });
  return (tokens: TokenCache, given: Given) =>
    l402Fetch(
      'http://one.test/forecast',
      {},
      {
        lightning: scene.payerNode,
        maxPriceMsat: 10_000,
        ...givenOptions(scene, given),
        clock: scene.clock,
        tokens,
        fetch: async (input, init) => {
          const request = new Request(input, init);
          return answer(request, () => ungated.handle(request, async () => new Response('ok')));
        },
      },
    ).catch((error: unknown) => error);
}

export async function ungatedTokenScene(fourth: { tokens: 'same' | 'new'; given: Given }) {
  const scene = await splitPayerScene();
  const { clock, n1, n2, gatingAt, base, left, right, proved, call } = scene;
  const challenges: number[] = [];
  const fetchOne = ungatedOneTest(scene, async (_, own) => {
    const response = await own();
    challenges.push(response.status);
    return response;
  });
  const day = 86_400_000;
  const steps = [await call(gatingAt(n1, base.root), 'http://one.test')];
  clock.advance(day);
  steps.push(await call(gatingAt(n2, left.root), 'http://one.test'));
  clock.advance(5 * day);
  const tokens = new TokenCache();
  steps.push(await fetchOne(tokens, 'credential'));
  clock.advance(6 * day);
  steps.push(await fetchOne(fourth.tokens === 'same' ? tokens : new TokenCache(), fourth.given));
  clock.advance(6 * day);
  const last = await call(gatingAt(n1, right.root), 'http://three.test');
  return { steps, last, proved, challenges, base, left };
}
