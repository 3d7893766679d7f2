import {
  AgoraError,
  ErrorCode,
  fromBase64,
  isDecimal,
  isJsonObject,
  parseJson,
  toBase64,
} from '../core/index.js';
import { type AgentStateStore, memoryAgentState } from '../identity/index.js';

const KIND = 'agora402/credential-history';

/**
 * What one provider node key has been shown in one credential epoch, over all its pseudonyms of this payer (every
 * service and level): the roots proved against and the members reaching the level asked in every proof shown.
 */
export interface ShownCredential {
  /**
   * The credential epoch: an entry is dropped once an epoch more than `CREDENTIAL_LINK_EPOCHS + 2` after it is
   * reserved (out of the window of that epoch and of the one before it, still provable at the edge).
   */
  readonly epoch: number;
  readonly roots: ReadonlySet<bigint>;
  readonly among: ReadonlySet<string>;
}

/**
 * A proof actually shown (its `Agora-Credential` sent and answered), recorded once shown with the scopes its
 * reservation named together (its node key and its origin's {@link originScope}), its root and its level. Those
 * scopes were linked to each other by that one proof (one token, one payment, one pseudonym), and each of them, with
 * whoever links any of them, holds the payer among the members reaching `level` in `root` (see
 * {@link NodeHistory.proved}). A reservation alone records none: its proof may never leave (the payment failing).
 */
export interface ShownProof {
  readonly epoch: number;
  /** The scopes of its reservation, sorted and distinct. */
  readonly scopes: readonly string[];
  readonly root: bigint;
  readonly level: number;
}

/**
 * Scopes one reservation named together (a node key and its challenge's {@link originScope}), in one epoch: recorded
 * when the proof is reserved, before it is proved, paid or sent, since from then on it may leave (a payment made and
 * the request unanswered shows it without {@link CredentialHistory.showed} ever being called). One token, one payment
 * and one pseudonym then sit in every one of those scopes' logs: whoever holds any two joins them through it. With
 * them, the scopes already linked to them in the window (the component), renewed in this epoch, as the pairs of a
 * spanning tree (see `linkComponent`): a link lasts as long
 * as a chain of visits through it. A challenge left unpaid joins no scopes, but renews each of its scopes' components
 * (see {@link CredentialHistory.linkedScopes}).
 */
export interface ScopeLink {
  readonly epoch: number;
  /** The scopes of its reservation, sorted and distinct, two or more. */
  readonly scopes: readonly string[];
}

/**
 * How many consecutive credential epochs one node's operator is assumed to link a payer's pseudonyms over (by the
 * timing and network address it links them with within one epoch: yesterday's pseudonym last used minutes before
 * today's first). What a node key was shown in any 7 consecutive epochs counts together (a proof counts the 6 epochs
 * before its own and the 6 after: at an edge an origin may ask the next epoch first), counted in the provider's
 * labels with one more at each end, since the provider picks the label at an edge (a proof counts the 8 labels
 * before its own and the 8 after); a payer away from a node for 9 epochs starts there anew. An entry carries the set
 * it left forward, so a payer using a node every few days stays counted over all of them.
 */
export const CREDENTIAL_LINK_EPOCHS = 7;

/**
 * How many labels apart two entries stop counting together: the window's 6 labels either side, and one more at each
 * end (a proof of epoch `e` counts entries of `e - 8 .. e + 8`). The provider picks the label within the tolerated
 * skew at an epoch's edge (a visit at 00:02 labelled with the day before, one at 23:58 with the next day), while its
 * operator links visits by real time: counted in labels alone, a visit so relabelled and one 6 real days later would
 * be 7 labels apart, or 8 with both ends moved (00:02 of day d as d-1, 23:58 of day d+6 as d+7), and never checked
 * together (the edge-relabel review). Every use of the window (the checks, the linked scopes, what a refusal
 * carries, what is kept) counts this reach.
 */
const LINK_REACH = CREDENTIAL_LINK_EPOCHS + 2;

/**
 * What one provider node key has seen of this payer in the linking window ({@link CREDENTIAL_LINK_EPOCHS} epochs
 * either side of the one asked), linked: the
 * roots proved against, the members common to every proof (undefined when none was proved), and the members the
 * payer's refusals there ruled out (those reaching a level it refused, in the root it would have proved against).
 */
export interface NodeHistory {
  readonly roots: ReadonlySet<bigint>;
  readonly among: ReadonlySet<string> | undefined;
  readonly excluded: ReadonlySet<string>;
  /**
   * Per root, the levels of the proofs shown in the window to every one of the scopes asked about together, in one
   * reservation naming all of them ({@link ShownProof}: sent and answered, never a reservation alone nor what an
   * unpaid challenge carried); absent when there is none. Those scopes are linked to each other by such a proof
   * already, and each of them, so whoever links any of them, holds the payer among the members reaching its level in
   * that root: a proof to those scopes at a level every one of them reaches links no scope not linked before and
   * narrows nobody who can see it, whatever `among` and `excluded` leave. A level each scope was shown on its own, in
   * separate proofs, is none: the new proof would join windows never joined (two origins' separate narrowings).
   */
  readonly proved?: ReadonlyMap<bigint, ReadonlySet<number>>;
  /**
   * The scopes beyond those asked about whose windows `among` and `excluded` count (absent when none): those linked to
   * them, directly or through others, by a reservation in the window ({@link CredentialHistory.linkedScopes}).
   * `roots` and `proved` stay the scopes' own.
   */
  readonly linked?: readonly string[];
}

/**
 * A refusal to prove, seen by the operator (a challenge never paid): the error to throw and the members it rules out
 * for an operator reading it as "below the level asked" (none for a challenge left unpaid for another reason:
 * `WOULD_LINK`, too few members), recorded before it is thrown with what its window had seen (see
 * {@link RefusedCredential}).
 */
export interface CredentialRefusal {
  readonly refused: AgoraError;
  readonly excluded: ReadonlySet<string>;
  /**
   * The fewest members the payer hides among (its `minAnonymity`). When given, a scope is never carried forward a
   * set of fewer members that its own window did not leave: it is carried its own window's instead. Such a set
   * (the scopes of a challenge relayed by another origin, seen together) protects no later proof, whoever links all
   * those scopes already holds the payer among it, and carried under a scope it would refuse that scope's every
   * later challenge, each refusal carrying it on. Without it the window's set is carried whatever its size. The
   * members ruled out in the window are carried whatever they leave: an operator linking the chain of visits knows
   * every one of them for as long as the chain lasts, and a set below `minAnonymity` already leaked is still one a
   * later proof must not narrow (the twelfth review: dropping them let a proof after the window name the payer).
   */
  readonly minAnonymity?: number;
}

/**
 * What the unpaid challenges one scope (a node key, an origin) showed in one epoch carry forward, as a proof's
 * {@link ShownCredential} does: an operator links a challenge left unpaid by the same timing and address as a paid
 * one, so it bridges the proofs either side of it. `excluded`: every member ruled out there, by these refusals and
 * by what their windows had seen; `among`: the members common to every proof their windows had seen (undefined when
 * none had been); `roots`: the roots their windows had been shown.
 */
export interface RefusedCredential {
  readonly epoch: number;
  readonly excluded: ReadonlySet<string>;
  readonly among?: ReadonlySet<string>;
  /**
   * The roots their windows had been shown (absent when none): carried as `among` is, so that the client keeps a
   * root already shown at a node while it is listed across an unpaid challenge too, as across a proof.
   */
  readonly roots?: ReadonlySet<bigint>;
}

/**
 * How many node keys one origin may name for this payer's pseudonyms, in the last {@link CREDENTIAL_LINK_EPOCHS}
 * epochs, whose invoices were never paid: a challenge naming another one is refused with `LIMIT_REACHED`, before
 * anything is recorded. Every node key shown a pseudonym keeps its members in the history for the linking window
 * (reserved before proving, kept unpaid); an origin answering each request with an invoice of a fresh throwaway key
 * (nobody can pay it) would otherwise grow the history by one entry per request. An honest origin names one node,
 * and a node whose invoice is paid does not count.
 */
export const MAX_UNPAID_NODES_PER_ORIGIN = 4;

/** A node key an origin named for a pseudonym: the latest epoch it did, and whether one of its invoices was paid. */
export interface OriginNode {
  readonly epoch: number;
  readonly paid: boolean;
}

/** How a provider knows this payer: by its agent id (`named`) or by a pseudonym (`anonymous`). */
export type CredentialMark = 'named' | 'anonymous';

/**
 * A credential history's content: what each provider node key, and each origin through any node key, was shown in
 * each epoch (keyed `<node key> <epoch>` and `origin:<origin> <epoch>`), each provider key's mark, and the latest
 * credential epoch proved at each provider node key.
 */
export interface CredentialHistoryState {
  readonly shown: Map<string, ShownCredential>;
  /**
   * Per `<node key> <epoch>` (and `origin:<origin> <epoch>`), what the unpaid challenges seen there carry forward
   * (see {@link RefusedCredential}).
   */
  readonly refused: Map<string, RefusedCredential>;
  readonly marks: Map<string, CredentialMark>;
  readonly epochs: Map<string, number>;
  /** Per origin, the node keys it named for a pseudonym in the linking window (see {@link MAX_UNPAID_NODES_PER_ORIGIN}). */
  readonly origins: Map<string, Map<string, OriginNode>>;
  /**
   * The proofs shown (see {@link ShownProof}), one per epoch, root, level and set of scopes, keyed
   * `JSON.stringify([epoch, <root, decimal>, level, scopes])`.
   */
  readonly proofs: Map<string, ShownProof>;
  /**
   * The scopes reserved together (see {@link ScopeLink}), one per epoch and set of scopes, keyed
   * `JSON.stringify([epoch, scopes])`.
   */
  readonly links: Map<string, ScopeLink>;
}

/** Where what a provider node key (or an origin's scope) was shown in an epoch is kept. */
const shownKey = (provider: string, epoch: number): string => `${provider} ${epoch}`;

/** Where a {@link ShownProof} is kept: one record per epoch, root, level and set of scopes. */
const proofKey = (proof: ShownProof): string =>
  JSON.stringify([proof.epoch, String(proof.root), proof.level, proof.scopes]);

/** Where a {@link ScopeLink} is kept: one record per epoch and set of scopes. */
const linkKey = (link: ScopeLink): string => JSON.stringify([link.epoch, link.scopes]);

/**
 * The history scope of an origin: what it was shown through any node key its challenges named, kept beside each
 * node key's own. A node key is hex, so no key of one is taken for the other's.
 */
export const originScope = (origin: string): string => `origin:${origin}`;

const damaged = (why: string): never => {
  throw new AgoraError(ErrorCode.InvalidJson, `the credential history is damaged: ${why}`);
};

const isEpoch = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

const emptyState = (): CredentialHistoryState => ({
  shown: new Map(),
  refused: new Map(),
  marks: new Map(),
  epochs: new Map(),
  origins: new Map(),
  proofs: new Map(),
  links: new Map(),
});

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** The members common to two sets, undefined standing for "no proof seen" (no bound). */
const common = (
  a: ReadonlySet<string> | undefined,
  b: ReadonlySet<string> | undefined,
): ReadonlySet<string> | undefined =>
  a === undefined ? b : b === undefined ? a : new Set([...a].filter((agent) => b.has(agent)));

/**
 * `before` (a scope's refused entry of one epoch) with another unpaid challenge's `excluded`, `among` and `roots`
 * added.
 */
const withRefusal = (
  before: RefusedCredential | undefined,
  epoch: number,
  excluded: ReadonlySet<string>,
  among: ReadonlySet<string> | undefined,
  roots: ReadonlySet<bigint> = new Set(),
): RefusedCredential => {
  const kept = common(before?.among, among);
  const shown = new Set([...(before?.roots ?? []), ...roots]);
  return {
    epoch,
    excluded: before === undefined ? excluded : new Set([...before.excluded, ...excluded]),
    ...(kept === undefined ? {} : { among: kept }),
    ...(shown.size === 0 ? {} : { roots: shown }),
  };
};

/**
 * A set of members as a v2 document keeps it: a bitmap (base64, bit `i` of byte `i >> 3` for member `i`) over the
 * document's member list, written once. A 64-hex agent id costs a bit per entry instead of 67 characters.
 */
function membersOf(
  bitmap: unknown,
  members: readonly string[] | undefined,
  decoded: Map<string, ReadonlySet<string>>,
): ReadonlySet<string> | undefined {
  if (members === undefined) return isStringList(bitmap) ? new Set(bitmap) : undefined;
  if (typeof bitmap !== 'string') return undefined;
  // Entries often keep one set (a node's members over a week, a level most reach): decoded once, one set object
  // (never changed: an entry is replaced, not edited).
  const known = decoded.get(bitmap);
  if (known !== undefined) return known;
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(bitmap);
  } catch {
    return undefined;
  }
  if (bytes.length !== Math.ceil(members.length / 8)) return undefined;
  const set = new Set<string>();
  for (let at = 0; at < bytes.length * 8; at++)
    if ((((bytes[at >> 3] as number) >> (at & 7)) & 1) === 1) {
      if (at >= members.length) return undefined;
      set.add(members[at] as string);
    }
  decoded.set(bitmap, set);
  return set;
}

/**
 * The migration of a document written before origins had their own scope (v1, v2): each origin is taken to have
 * been shown all that the node keys it named in the linking window (its `origins` record) were shown, through any
 * origin. For a v2 document that is more than it may have been (a node key named by two origins counts for both),
 * never less: a proof after the upgrade is checked against at least what the origin saw before it. A v1 document
 * has no `origins` record: its origins start with nothing of their own, and a proof after the upgrade is checked
 * against what its node key was shown only (as a v1 client checked it).
 */
function originsFromNodes(state: CredentialHistoryState): void {
  const byNode = <T>(entries: Map<string, T>) => {
    const nodes = new Map<string, [number, T][]>();
    for (const [key, entry] of entries) {
      const node = key.slice(0, key.lastIndexOf(' '));
      const epoch = Number(key.slice(key.lastIndexOf(' ') + 1));
      nodes.set(node, [...(nodes.get(node) ?? []), [epoch, entry]]);
    }
    return nodes;
  };
  const shown = byNode(state.shown);
  const refused = byNode(state.refused);
  for (const [origin, nodes] of state.origins)
    for (const node of nodes.keys()) {
      for (const [epoch, entry] of shown.get(node) ?? []) {
        const key = shownKey(originScope(origin), epoch);
        const before = state.shown.get(key);
        state.shown.set(key, {
          epoch,
          roots: new Set([...(before?.roots ?? []), ...entry.roots]),
          among:
            before === undefined
              ? entry.among
              : new Set([...entry.among].filter((agent) => before.among.has(agent))),
        });
      }
      for (const [epoch, entry] of refused.get(node) ?? []) {
        const key = shownKey(originScope(origin), epoch);
        state.refused.set(
          key,
          withRefusal(state.refused.get(key), epoch, entry.excluded, entry.among, entry.roots),
        );
      }
    }
}

/**
 * The migration of a document written before an unpaid challenge's entry carried its window forward (v1 to v3: a
 * refusal's entry kept only the members it ruled out): each refused entry is given what its scope's entries in its
 * window (the {@link CREDENTIAL_LINK_EPOCHS} epochs either side) hold now, the members common to every proof, their
 * roots and every member ruled out, as it records from now on. What the window held then and has since been dropped is not
 * recovered; what was recorded after it counts too (conservative: a later proof hides among no more than it would).
 * A challenge left unpaid for `WOULD_LINK` (or too few members) recorded nothing and is not recovered: both leave a
 * gap of at most one linking window after the upgrade.
 */
function refusalsCarry(state: CredentialHistoryState): void {
  const carried = new Map<string, RefusedCredential>();
  for (const [key, entry] of state.refused) {
    const scope = key.slice(0, key.lastIndexOf(' '));
    let among: ReadonlySet<string> | undefined;
    const excluded = new Set(entry.excluded);
    const roots = new Set<bigint>();
    for (let at = Math.max(0, entry.epoch - LINK_REACH + 1); at < entry.epoch + LINK_REACH; at++) {
      const shown = state.shown.get(shownKey(scope, at));
      among = common(among, shown?.among);
      for (const root of shown?.roots ?? []) roots.add(root);
      for (const agent of state.refused.get(shownKey(scope, at))?.excluded ?? []) excluded.add(agent);
    }
    carried.set(key, withRefusal(undefined, entry.epoch, excluded, among, roots));
  }
  for (const [key, entry] of carried) state.refused.set(key, entry);
}

/**
 * The migration of a document written before the scopes reserved together were recorded (v1 to v6): each link is
 * taken from what the document holds of scopes named together, more than the reservations made, never fewer: every
 * node key an origin named for a pseudonym in the linking window (its `origins` record, at the latest epoch it did,
 * paid or not, refused or not) and every proof shown (v6 `proofs`). A reservation whose origin record was dropped
 * (more than a window old) is out of every window still asked. A v1 document has neither: its proofs are checked
 * against their own scopes only (as a v1 client checked them) until the window has passed. The over-count (a
 * challenge left unpaid joins its node and its origin) refuses more for at most one linking window after the upgrade.
 */
function linksFromOlder(state: CredentialHistoryState): void {
  const link = (epoch: number, scopes: readonly string[]) => {
    const sorted = [...new Set(scopes)].sort();
    if (sorted.length < 2) return;
    const made = { epoch, scopes: sorted };
    state.links.set(linkKey(made), made);
  };
  for (const [origin, nodes] of state.origins)
    for (const [node, { epoch }] of nodes) link(epoch, [node, originScope(origin)]);
  for (const proof of state.proofs.values()) link(proof.epoch, proof.scopes);
}

/** {@link CredentialHistory.linkedScopes} over `links`: the scopes given, then the rest of their component, sorted. */
function componentOf(
  links: ReadonlyMap<string, ScopeLink>,
  provider: string | readonly string[],
  epoch: number,
): string[] {
  const scopes = typeof provider === 'string' ? [provider] : [...new Set(provider)];
  const near = [...links.values()].filter(
    (link) => link.epoch > epoch - LINK_REACH && link.epoch < epoch + LINK_REACH,
  );
  const reached = new Set(scopes);
  for (let grew = true; grew; ) {
    grew = false;
    for (const link of near)
      if (
        link.scopes.some((scope) => reached.has(scope)) &&
        link.scopes.some((scope) => !reached.has(scope))
      ) {
        for (const scope of link.scopes) reached.add(scope);
        grew = true;
      }
  }
  return [...scopes, ...[...reached].filter((scope) => !scopes.includes(scope)).sort()];
}

/**
 * The migration of a document written before every reservation renewed its component's links (v1 to v7): each
 * scope's entries (`shown` and `refused`, a visit each), in epoch order, renew that scope's component as a v8 client
 * renews it at a visit ({@link CredentialHistory.reserve}). A visit that left no entry (an unpaid challenge with
 * nothing to carry) is not recovered, nor a link dropped before the upgrade: a gap of at most one linking window.
 */
function linksRenewed(state: CredentialHistoryState): void {
  const visits = [...state.shown.keys(), ...state.refused.keys()]
    .map((key) => ({
      scope: key.slice(0, key.lastIndexOf(' ')),
      epoch: Number(key.slice(key.lastIndexOf(' ') + 1)),
    }))
    .sort((a, b) => a.epoch - b.epoch);
  for (const { scope, epoch } of visits)
    linkComponent(state.links, epoch, componentOf(state.links, scope, epoch));
}

/**
 * Records `component` (scopes to be joined, the first kept as the representative) linked in `epoch`, as a spanning
 * tree: only the pairs (the representative and one scope of each piece) needed to join the pieces `links` of `epoch`
 * leave apart, none when they join it already. One link of the whole list would serve {@link componentOf} alike
 * (joined within one epoch either way, so every window counts the same), but a component grown one scope per visit
 * would write a list of every scope at each visit: quadratic in the scopes one node is named with (the link-growth
 * review). A tree adds at most one pair per scope per epoch. True when it added one.
 */
function linkComponent(links: Map<string, ScopeLink>, epoch: number, component: readonly string[]): boolean {
  const [first, ...rest] = component;
  if (first === undefined || rest.length === 0) return false;
  // The pieces this epoch's links make: union-find, each scope pointing towards its piece's root.
  const parent = new Map<string, string>();
  const find = (scope: string): string => {
    let root = scope;
    for (let up = parent.get(root); up !== undefined; up = parent.get(root)) root = up;
    for (let at = scope; at !== root; ) {
      const up = parent.get(at) as string;
      parent.set(at, root);
      at = up;
    }
    return root;
  };
  const join = (a: string, b: string): boolean => {
    const [rootA, rootB] = [find(a), find(b)];
    if (rootA === rootB) return false;
    parent.set(rootB, rootA);
    return true;
  };
  for (const link of links.values())
    if (link.epoch === epoch) for (const scope of link.scopes) join(link.scopes[0] as string, scope);
  let added = false;
  for (const scope of rest)
    if (join(first, scope)) {
      const made: ScopeLink = { epoch, scopes: [first, scope].sort() };
      links.set(linkKey(made), made);
      added = true;
    }
  return added;
}

/**
 * Reads a credential history document as {@link formatCredentialHistory} writes it (v8), or v7 (links not renewed
 * at every visit: renewed as `linksRenewed` says), or v6 (no scopes reserved
 * together recorded: taken from its origins and proofs as `linksFromOlder` says), or as earlier versions
 * wrote it (v5 and v4, no proof shown recorded: v5's per-scope `levels`, recorded at reservation, are checked and
 * dropped, so none of their proofs lets a later one through below `minAnonymity`; v3, refusals carrying nothing, migrated as `refusalsCarry` says; v2, without
 * origin scopes, migrated as `originsFromNodes` says; v1, member lists written out);
 * `INVALID_JSON` for anything else. A damaged history is refused, never read
 * as empty: an empty one would let a pseudonym be shown again.
 */
export function parseCredentialHistory(text: string): CredentialHistoryState {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    return damaged('not JSON');
  }
  if (!isJsonObject(value) || value.kind !== KIND || ![1, 2, 3, 4, 5, 6, 7, 8].includes(value.v as number))
    return damaged(`not a ${KIND} v1, v2, v3, v4, v5, v6, v7 or v8`);
  const { shown, named, anonymous, epochs, refused, origins, proofs, links } = value;
  if (!Array.isArray(shown) || !isStringList(named) || !isStringList(anonymous))
    return damaged('shown, named and anonymous are lists');
  // v2 and later write each member once, sets as bitmaps over this list; v1 wrote each set out.
  let members: string[] | undefined;
  if (value.v !== 1) {
    if (!isStringList(value.members) || new Set(value.members).size !== value.members.length)
      return damaged('members is a list of distinct ids');
    if (!Array.isArray(origins)) return damaged('origins is a list');
    members = value.members;
  } else if (origins !== undefined) return damaged('a v1 document has no origins');
  const decoded = new Map<string, ReadonlySet<string>>();
  // `epochs` came after the first documents: one without it has proved no epoch it knows of.
  if (epochs !== undefined && !Array.isArray(epochs)) return damaged('epochs is a list');
  // So did `refused`: one without it recorded no refusal.
  if (refused !== undefined && !Array.isArray(refused)) return damaged('refused is a list');
  const state = emptyState();
  for (const entry of shown) {
    if (!isJsonObject(entry)) return damaged('a shown entry is not an object');
    const { provider, scope, epoch, roots, among, levels } = entry;
    // Documents before the per-node entries kept one per pseudonym scope, `<node key> <service> <epoch> <level>`:
    // read as their node key's, merged below.
    const node =
      typeof provider === 'string' ? provider : typeof scope === 'string' ? scope.split(' ')[0] : undefined;
    if (node === undefined || typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0)
      return damaged('a shown entry has no provider or epoch');
    if (!isStringList(roots) || roots.length === 0 || !roots.every((root) => isDecimal(root)))
      return damaged('a shown entry lists no decimal roots');
    const set = membersOf(among, members, decoded);
    if (set === undefined) return damaged('a shown entry lists no members');
    // Only v5 recorded the levels reserved, per scope: checked, then dropped. They were written before proving and
    // paying (a proof never shown counted) and said nothing of which scopes one proof showed together (two origins
    // shown a level apart counted as shown it together): none lets a proof through (v6 records `proofs` instead).
    if (
      levels !== undefined &&
      (value.v !== 5 ||
        !Array.isArray(levels) ||
        levels.length === 0 ||
        !levels.every(
          (item) =>
            isJsonObject(item) &&
            typeof item.root === 'string' &&
            roots.includes(item.root) &&
            isEpoch(item.level),
        ))
    )
      return damaged('a shown entry lists its levels wrong');
    const key = shownKey(node as string, epoch);
    const before = state.shown.get(key);
    state.shown.set(key, {
      epoch,
      roots: new Set([...(before?.roots ?? []), ...roots.map(BigInt)]),
      among: before === undefined ? set : new Set([...set].filter((agent) => before.among.has(agent))),
    });
  }
  for (const entry of refused ?? []) {
    if (!isJsonObject(entry)) return damaged('a refused entry is not an object');
    const { provider, epoch, excluded, among, roots } = entry;
    const set = membersOf(excluded, members, decoded);
    if (typeof provider !== 'string' || !isEpoch(epoch) || set === undefined)
      return damaged('a refused entry has no provider, epoch or members');
    // Only v4 and later carry a refusal's window forward (`among`); before, an entry held what it ruled out only.
    const kept =
      among === undefined || (value.v as number) < 4 ? undefined : membersOf(among, members, decoded);
    if (among !== undefined && kept === undefined)
      return damaged('a refused entry lists no members in common');
    // So do its window's roots (written only when there were some).
    if (
      roots !== undefined &&
      ((value.v as number) < 4 ||
        !isStringList(roots) ||
        roots.length === 0 ||
        !roots.every((root) => isDecimal(root)))
    )
      return damaged('a refused entry lists no roots');
    const key = shownKey(provider, epoch);
    state.refused.set(
      key,
      withRefusal(state.refused.get(key), epoch, set, kept, new Set((roots ?? []).map(BigInt))),
    );
  }
  for (const entry of origins ?? []) {
    if (!isJsonObject(entry)) return damaged('an origins entry is not an object');
    const { origin, node, epoch, paid } = entry;
    if (
      typeof origin !== 'string' ||
      typeof node !== 'string' ||
      !isEpoch(epoch) ||
      typeof paid !== 'boolean'
    )
      return damaged('an origins entry has no origin, node, epoch or paid');
    const nodes = state.origins.get(origin) ?? new Map<string, OriginNode>();
    if (nodes.has(node)) return damaged(`${origin} names ${node} twice`);
    state.origins.set(origin, nodes.set(node, { epoch, paid }));
  }
  // Only v6 and later record the proofs shown: a document before it has none, so none of its proofs lets a later one
  // through below `minAnonymity` until the payer shows one again.
  if (proofs !== undefined && ((value.v as number) < 6 || !Array.isArray(proofs)))
    return damaged('proofs is a v6 list');
  for (const entry of proofs ?? []) {
    if (!isJsonObject(entry)) return damaged('a proofs entry is not an object');
    const { scopes, epoch, root, level } = entry;
    if (
      !isStringList(scopes) ||
      scopes.length === 0 ||
      new Set(scopes).size !== scopes.length ||
      !isEpoch(epoch) ||
      !isDecimal(root) ||
      !isEpoch(level)
    )
      return damaged('a proofs entry has no scopes, epoch, root or level');
    const proof = { epoch, scopes: [...scopes].sort(), root: BigInt(root), level };
    state.proofs.set(proofKey(proof), proof);
  }
  // Only v7 and later record the scopes reserved together.
  if (links !== undefined && ((value.v as number) < 7 || !Array.isArray(links)))
    return damaged('links is a v7 list');
  for (const entry of links ?? []) {
    if (!isJsonObject(entry)) return damaged('a links entry is not an object');
    const { scopes, epoch } = entry;
    if (
      !isStringList(scopes) ||
      scopes.length < 2 ||
      new Set(scopes).size !== scopes.length ||
      !isEpoch(epoch)
    )
      return damaged('a links entry has no two scopes or no epoch');
    const link = { epoch, scopes: [...scopes].sort() };
    state.links.set(linkKey(link), link);
  }
  if ((value.v as number) < 7) linksFromOlder(state);
  if (value.v === 1 || value.v === 2) originsFromNodes(state);
  if ((value.v as number) < 4) refusalsCarry(state);
  if ((value.v as number) < 8) linksRenewed(state);
  for (const entry of epochs ?? []) {
    if (!isJsonObject(entry)) return damaged('an epochs entry is not an object');
    const { provider, epoch } = entry;
    if (
      typeof provider !== 'string' ||
      typeof epoch !== 'number' ||
      !Number.isSafeInteger(epoch) ||
      epoch < 0
    )
      return damaged('an epochs entry has no provider or epoch');
    state.epochs.set(provider, epoch);
  }
  for (const key of named) state.marks.set(key, 'named');
  for (const key of anonymous)
    if (state.marks.get(key) === 'named') return damaged(`${key} is marked both named and anonymous`);
    else state.marks.set(key, 'anonymous');
  return state;
}

/**
 * The document {@link parseCredentialHistory} reads (v8: v7 written by a client renewing a component's links at
 * every visit, so a link may name a whole component, as written before the link-growth fix, or, since,
 * one pair of a spanning tree; v7: v6 with `links`, each set of scopes one reservation named
 * together as `{scopes, epoch}`; v6: v4 with `proofs`, each proof shown as
 * `{scopes, epoch, root, level}`, the scopes its reservation named together; v4: v3, itself v2 with the origins' scopes, `origin:<origin>`
 * entries beside the node keys' in `shown` and `refused`, with a refused entry's `among` and `roots` when its window
 * had seen a proof): every member named by a set once, in `members`, and each set a bitmap over that list, so an entry costs a
 * bit per member rather than its id.
 */
export function formatCredentialHistory(state: CredentialHistoryState): string {
  const marked = (mark: CredentialMark) =>
    [...state.marks].filter(([, kind]) => kind === mark).map(([key]) => key);
  const sets = new Set([
    ...[...state.shown.values()].map((entry) => entry.among),
    ...[...state.refused.values()].flatMap((entry) =>
      entry.among === undefined ? [entry.excluded] : [entry.excluded, entry.among],
    ),
  ]);
  // Members in the order first met: every writer of the same state writes the same document.
  const index = new Map<string, number>();
  for (const set of sets) for (const agent of set) if (!index.has(agent)) index.set(agent, index.size);
  const members = [...index.keys()];
  const bitmaps = new Map<ReadonlySet<string>, string>();
  const bitmap = (set: ReadonlySet<string>): string => {
    const known = bitmaps.get(set);
    if (known !== undefined) return known;
    const bytes = new Uint8Array(Math.ceil(members.length / 8));
    for (const agent of set) {
      const at = index.get(agent) as number;
      bytes[at >> 3] = (bytes[at >> 3] as number) | (1 << (at & 7));
    }
    const text = toBase64(bytes);
    bitmaps.set(set, text);
    return text;
  };
  return `${JSON.stringify({
    kind: KIND,
    v: 8,
    members,
    shown: [...state.shown].map(([key, entry]) => ({
      provider: key.slice(0, key.lastIndexOf(' ')),
      epoch: entry.epoch,
      roots: [...entry.roots].map(String),
      among: bitmap(entry.among),
    })),
    named: marked('named'),
    anonymous: marked('anonymous'),
    epochs: [...state.epochs].map(([provider, epoch]) => ({ provider, epoch })),
    refused: [...state.refused].map(([key, entry]) => ({
      provider: key.slice(0, key.lastIndexOf(' ')),
      epoch: entry.epoch,
      excluded: bitmap(entry.excluded),
      ...(entry.among === undefined ? {} : { among: bitmap(entry.among) }),
      ...(entry.roots === undefined ? {} : { roots: [...entry.roots].map(String) }),
    })),
    origins: [...state.origins].flatMap(([origin, nodes]) =>
      [...nodes].map(([node, { epoch, paid }]) => ({ origin, node, epoch, paid })),
    ),
    proofs: [...state.proofs.values()].map(({ scopes, epoch, root, level }) => ({
      scopes,
      epoch,
      root: String(root),
      level,
    })),
    links: [...state.links.values()].map(({ scopes, epoch }) => ({ scopes, epoch })),
  })}\n`;
}

/**
 * `INVALID_ARGUMENT` for a `minAnonymity` that is not an integer of at least 1, else undefined. NaN compares false
 * with every count: it would carry each scope's own window where the component's is owed.
 */
function invalidMinAnonymity(minAnonymity: number | undefined): AgoraError | undefined {
  if (minAnonymity === undefined || (Number.isSafeInteger(minAnonymity) && minAnonymity >= 1))
    return undefined;
  return new AgoraError(
    ErrorCode.InvalidArgument,
    `minAnonymity must be an integer of at least 1, not ${minAnonymity}`,
  );
}

/**
 * What an agent has shown providers, kept with the agent (one per agent, shared by all its credential holders and
 * fetches, persisted in its {@link AgentStateStore}) so that neither a new snapshot, a new holder, a new token cache
 * nor a new process forgets it:
 * - per provider node key and epoch, over all the pseudonyms shown there (every service and level), the snapshot
 *   roots proved against and the members reaching the level of every proof in its root, counted together over
 *   {@link CREDENTIAL_LINK_EPOCHS} epochs: an operator that links its pseudonyms of one payer (by timing, by network
 *   address, within a day or across consecutive days) finds the payer only among those; reserved before proving;
 * - per provider node key and epoch, the members ruled out by the payer's refusals there (those reaching a level it
 *   could not prove): a later proof hides the payer only among the members between the levels seen;
 * - both again per origin ({@link originScope}), over every node key its challenges named: one origin is one server
 *   and links its own requests, so a proof is checked against what its node key and its origin saw together, and an
 *   origin naming another node key per challenge (a second node, a phantom key) starts afresh nowhere;
 * - per provider (its node key, its origin), whether it was given the agent id or a pseudonym: never both;
 * - per provider node key, the latest credential epoch proved there: a provider choosing the epoch per challenge at
 *   an epoch's edge never gets the earlier day's pseudonym back after the later one's;
 * - per origin, the node keys its challenges named for a pseudonym in the linking window and whether one of their
 *   invoices was paid: an origin naming more than {@link MAX_UNPAID_NODES_PER_ORIGIN} never paid is refused, so that
 *   throwaway keys cannot grow the history without bound.
 *
 * Every check-and-record runs under one promise chain, on the document re-read from the store while holding the
 * store's lock against other processes (a file store's `<path>.lock`), and is written (whole, atomically, and only
 * when it changed something) before it returns: two proofs started together are serialized, the second sees the
 * first, whichever process made it. Each member of the sets kept is written once, each set a bitmap over them.
 */
export class CredentialHistory {
  private queue: Promise<unknown> = Promise.resolve();
  /** The document this history last read from its store or wrote there (see {@link noted}). */
  private known: string | undefined;
  /**
   * Per epoch (the last two a visit was recorded at), the visits already recorded there, keyed
   * `<minAnonymity or 0> <scope>`: a later visit of the same scope in the same epoch skips the lock and the parse
   * (see `visit`). Cleared whenever a read finds the document changed by another writer (another process, another
   * history on the store: it may have dropped what was recorded), and an epoch's notes once `dropUnreachable` drops
   * it: a note never stands for a visit the document no longer holds.
   */
  private readonly noted = new Map<number, Set<string>>();

  private constructor(
    private readonly store: AgentStateStore,
    private state: CredentialHistoryState,
  ) {}

  /** The history in `store` (empty when none was written); `INVALID_JSON` when it is damaged. */
  static async open(store: AgentStateStore): Promise<CredentialHistory> {
    const text = await store.read();
    return new CredentialHistory(store, text === undefined ? emptyState() : parseCredentialHistory(text));
  }

  /** A history kept in memory: for an agent that lives as long as the process. */
  static inMemory(): CredentialHistory {
    return new CredentialHistory(memoryAgentState(), emptyState());
  }

  /**
   * Runs `step` after every earlier one has finished, whatever they did, on the store's document as it is now:
   * another process of the agent (or another history open on the same store) may have recorded marks since, and a
   * check on a stale copy would pass what they refuse, its write dropping what they recorded.
   */
  private locked<T>(step: () => Promise<T>): Promise<T> {
    const fresh = async () => {
      const text = await this.store.read();
      // Another writer changed the document since this history last read or wrote it: what it dropped is unknown,
      // so no visit is taken as recorded any more.
      if (text !== this.known) this.noted.clear();
      if (text !== undefined) this.state = parseCredentialHistory(text);
      this.known = text;
      return step();
    };
    const exclusive = () => (this.store.exclusive === undefined ? fresh() : this.store.exclusive(fresh));
    const run = this.queue.then(exclusive, exclusive);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async save(): Promise<void> {
    const text = formatCredentialHistory(this.state);
    await this.store.write(text);
    this.known = text;
  }

  /** What the provider of node key `provider` has been shown in `epoch`, if anything. */
  shownAt(provider: string, epoch: number): ShownCredential | undefined {
    return this.state.shown.get(shownKey(provider, epoch));
  }

  /**
   * What the provider of node key `provider` has seen of this payer in the linking window around `epoch` (every
   * epoch at most {@link CREDENTIAL_LINK_EPOCHS} + 1 labels before or after it, one more at each end than the window
   * itself: the provider picks the label at an epoch's edge), linked; undefined when nothing. Given several
   * scopes (a node key and its challenge's {@link originScope}), what they have seen together: every root either was
   * shown, the members common to every proof either was shown or any unpaid challenge carried forward, and the
   * members any of their refusals ruled out or carried forward.
   */
  seenAt(provider: string | readonly string[], epoch: number): NodeHistory | undefined {
    const roots = new Set<bigint>();
    const excluded = new Set<string>();
    let among: ReadonlySet<string> | undefined;
    let any = false;
    const scopes = typeof provider === 'string' ? [provider] : provider;
    // Later epochs count too. At an epoch's edge a provider may ask for either epoch (the tolerated skew), and an
    // origin may ask for the next one through node A and then the last one through node B: what it saw in the next
    // epoch links to this proof all the same. `claimEpoch` keeps a node key from going back, but not an origin: a
    // "never back" rule per origin would refuse an honest origin whose two nodes' clocks straddle the edge, whereas
    // counting the later entry serves it (same root, same level: the same members in common) and refuses only a
    // proof that would leave fewer than `minAnonymity`.
    for (const scope of scopes) {
      for (let at = Math.max(0, epoch - LINK_REACH + 1); at < epoch + LINK_REACH; at++) {
        const key = shownKey(scope, at);
        const shown = this.state.shown.get(key);
        const refused = this.state.refused.get(key);
        if (shown !== undefined) {
          for (const root of shown.roots) roots.add(root);
          among = new Set(common(among, shown.among));
        }
        // An unpaid challenge's entry reads like a proof's: what its window had left in common, carried forward.
        if (refused?.among !== undefined) among = new Set(common(among, refused.among));
        for (const root of refused?.roots ?? []) roots.add(root);
        for (const agent of refused?.excluded ?? []) excluded.add(agent);
        any ||= shown !== undefined || refused !== undefined;
      }
    }
    if (!any) return undefined;
    // Only a proof shown to all of these scopes at once (its reservation naming every one of them): one shown to each
    // apart links none of them to the others, and the proof asked about would join their windows.
    const proved = new Map<bigint, Set<number>>();
    for (const proof of this.state.proofs.values())
      if (
        proof.epoch > epoch - LINK_REACH &&
        proof.epoch < epoch + LINK_REACH &&
        scopes.every((scope) => proof.scopes.includes(scope))
      )
        proved.set(proof.root, (proved.get(proof.root) ?? new Set()).add(proof.level));
    return proved.size === 0 ? { roots, among, excluded } : { roots, among, excluded, proved };
  }

  /**
   * The scopes linked to `provider` (a scope, or several asked about together) in the linking window around `epoch`:
   * those given, then every scope a reservation in the window (a {@link ScopeLink}, epoch less than
   * at most {@link CREDENTIAL_LINK_EPOCHS} + 1 labels before or after `epoch`) named together with one already reached, and so on (the
   * connected component), sorted. A reservation's proof puts one token, one payment and one pseudonym in the logs of
   * all its scopes: whoever holds the logs of two scopes so joined, directly or along a chain of reservations, holds
   * the payer among the members every one of their windows left, whichever of them each proof was checked at. A
   * challenge left unpaid links nothing here: it shows no pseudonym nor payment, its node key sees nothing of the
   * payer unless the origin tells it, and any origin can name any node key (a relay); what its scopes' windows left
   * together it carries into each of their refused entries instead (see {@link CredentialRefusal}). Every
   * reservation records its component linked again in its own epoch ({@link reserve}; as a spanning tree of
   * pairs, which joins the same scopes in that epoch as one list of all of them), so a component stays joined
   * here for as long as a chain of visits in it (each within the window of the last) goes on, as the operator chains
   * them.
   */
  linkedScopes(provider: string | readonly string[], epoch: number): string[] {
    return componentOf(this.state.links, provider, epoch);
  }

  /**
   * What `scopes` have seen, as {@link seenAt} gives it, with the members in common and the members ruled out over
   * every scope linked to them in the window ({@link linkedScopes}): what whoever holds all their logs knows.
   */
  private seenLinked(scopes: readonly string[], epoch: number): NodeHistory | undefined {
    const own = this.seenAt(scopes, epoch);
    const linked = this.linkedScopes(scopes, epoch);
    if (linked.length === scopes.length) return own;
    const all = this.seenAt(linked, epoch);
    if (all === undefined) return own;
    return {
      roots: own?.roots ?? new Set(),
      among: all.among,
      excluded: all.excluded,
      ...(own?.proved === undefined ? {} : { proved: own.proved }),
      linked: linked.slice(scopes.length),
    };
  }

  /**
   * Reserves a proof of a pseudonym of `epoch` at the provider of node key `provider` (any service, any level), or
   * at each of several scopes: its node key and the {@link originScope} of the origin whose challenge named it, so
   * that an origin naming another node key per challenge is checked against all it was shown through the others.
   * `choose` sees what those scopes have seen of this payer in the linking window around `epoch` (later epochs
   * included), together ({@link seenAt}; nothing earlier is pending), their members in common and ruled out counted
   * over every scope linked to them by a reservation in the window ({@link linkedScopes},
   * {@link NodeHistory.linked}), and picks the root and the members the payer will then hide among, or returns a
   * refusal (any challenge it leaves unpaid); the choice is recorded under every scope and written before this
   * resolves, so it holds whether or not the proof follows. A refusal is recorded so before it is thrown, with what
   * `choose` saw (the members left in common, every member ruled out, its own exclusions added; both bounded by the
   * refusal's {@link CredentialRefusal.minAnonymity}): the operator links
   * the unpaid challenge as it links a proof, so its entry carries the window forward as a proof's does. Entries no epoch the payer may
   * still prove can see are dropped: those older than the window of `epoch - 1` (asked within the skew at the edge).
   * A proof reserved at two or more scopes records them linked ({@link ScopeLink}), with its whole component
   * ({@link linkedScopes}) linked again in `epoch`; a refusal links each of its scopes' components again, apart. No
   * level is recorded: a
   * reservation shows nothing yet (see {@link showed}).
   */
  reserve<T extends { root: bigint; among: ReadonlySet<string> }>(
    provider: string | readonly string[],
    epoch: number,
    choose: (seen: NodeHistory | undefined) => T | CredentialRefusal,
  ): Promise<T> {
    const scopes = typeof provider === 'string' ? [provider] : [...new Set(provider)];
    return this.locked(async () => {
      // Checked against every scope linked to these by a reservation in the window, not only these: two scopes joined
      // once stay joined for whoever holds both logs (the linked-scopes closure).
      const seen = this.seenLinked(scopes, epoch);
      const chosen = choose(seen);
      // What a refusal carries under each scope (see `CredentialRefusal.minAnonymity`), read before anything is
      // dropped, as `seen` was: the widest view leaving `minAnonymity` (the linked scopes', else these scopes'
      // together), else each scope's own window.
      const carried = new Map<string, NodeHistory | undefined>();
      if ('refused' in chosen) {
        const least = chosen.minAnonymity;
        const holds = (view: NodeHistory | undefined) =>
          view?.among === undefined || least === undefined || view.among.size >= least;
        const own = seen?.linked === undefined ? seen : this.seenAt(scopes, epoch);
        for (const scope of scopes)
          carried.set(
            scope,
            holds(seen) ? seen : holds(own) || scopes.length === 1 ? own : this.seenAt(scope, epoch),
          );
      }
      // Written only when something changed (an entry dropped or recorded): a step rewrites the whole file.
      let changed = false;
      // Dropped: what no epoch the payer may still prove can see. Having reserved `epoch`, its clock may still lie
      // within the skew before `epoch`'s start, so `epoch - 1` may be asked next, by any scope: its window starts at
      // `epoch - CREDENTIAL_LINK_EPOCHS - 2` (one label more at each end, for labels chosen at an edge), kept. Dropping that epoch too let a reservation of the next epoch at the
      // edge (any scope, a free refusal included) erase what a proof of the last one is checked against.
      changed = this.dropUnreachable(epoch);
      // Links are renewed by every visit (the outlived link). A link counts for the window only, but each of its
      // scopes' chains of visits lasts as long as the payer keeps using that scope every few epochs, and an operator
      // joins a visit to a scope linked once back along that scope's chain to the link, and from there along the other
      // scope's chain to whatever was narrowed there since, after the link left the window. So every reservation
      // records its component (`linkedScopes`: the links in the window, none of which was just dropped) linked again
      // in its own epoch: a component stays joined for as long as a chain of visits (proofs and unpaid challenges) in
      // it goes on, and a proof anywhere in it is checked against every scope of it. Chosen over carrying a narrowing
      // into every linked scope's entries at its epoch, which misses a narrowing made after the link left the window
      // while the other scope's chain went on. A refusal renews each of its scopes' components apart: an unpaid
      // challenge joins nothing not joined before (a relay names any node key).
      const renewed =
        'refused' in chosen
          ? scopes.map((scope) => this.linkedScopes(scope, epoch))
          : [this.linkedScopes(scopes, epoch)];
      const link = (linked: readonly string[]) => {
        changed = linkComponent(this.state.links, epoch, linked) || changed;
      };
      if ('refused' in chosen) {
        const excluded = new Set([...(seen?.excluded ?? []), ...chosen.excluded]);
        for (const scope of scopes)
          changed = this.carryRefusal(scope, epoch, excluded, carried.get(scope)) || changed;
        for (const linked of renewed) link(linked);
        if (changed) await this.save();
        throw chosen.refused;
      }
      for (const scope of scopes) {
        const key = shownKey(scope, epoch);
        const before = this.state.shown.get(key);
        // The members chosen lie within every scope's (the choice saw their intersection): one set kept for all.
        if (
          before === undefined ||
          !before.roots.has(chosen.root) ||
          before.among.size !== chosen.among.size ||
          [...chosen.among].some((agent) => !before.among.has(agent))
        ) {
          this.state.shown.set(key, {
            epoch,
            roots: new Set([...(before?.roots ?? []), chosen.root]),
            among: chosen.among,
          });
          changed = true;
        }
      }
      // The scopes this reservation names are linked from now on, whether or not its proof is shown: it may leave
      // unrecorded (paid, the request unanswered); with them, every scope already linked to them (renewed, above).
      for (const linked of renewed) link(linked);
      if (changed) await this.save();
      return chosen;
    });
  }

  /**
   * Records that a proof reserved at `provider` (the same scopes {@link reserve} was given) in `epoch`, against
   * `root` at `level`, was shown: its `Agora-Credential` sent and answered. Only a proof so recorded counts toward
   * {@link NodeHistory.proved}, and only for the scopes named here together. Records nothing unless every scope holds
   * a reservation of `root` in `epoch` (one dropped, or never made, is shown nothing here), nor when it is recorded
   * already (checked first on the copy last read, which holds every record this history made or read: a token's
   * every use calls this). Call it once the server answered, never before: a level counted shown that never was
   * lets a proof through that the refusals recorded would name.
   */
  showed(provider: string | readonly string[], epoch: number, root: bigint, level: number): Promise<void> {
    const scopes = [...new Set(typeof provider === 'string' ? [provider] : provider)].sort();
    const proof: ShownProof = { epoch, scopes, root, level };
    const key = proofKey(proof);
    if (this.state.proofs.has(key)) return Promise.resolve();
    return this.locked(async () => {
      if (this.state.proofs.has(key)) return;
      if (!scopes.every((scope) => this.state.shown.get(shownKey(scope, epoch))?.roots.has(root) ?? false))
        return;
      this.state.proofs.set(key, proof);
      await this.save();
    });
  }

  /**
   * Records that the provider known by any of `keys` is shown a pseudonym; `WOULD_LINK`, recording nothing, when
   * one of them was given this agent's id.
   */
  claimAnonymous(keys: readonly string[]): Promise<void> {
    return this.locked(async () => {
      const named = keys.find((key) => this.state.marks.get(key) === 'named');
      if (named !== undefined)
        throw new AgoraError(
          ErrorCode.WouldLink,
          `${named.slice(named.indexOf(':') + 1)} was given this payer's agent id: it is shown no pseudonym`,
        );
      await this.mark(keys, 'anonymous');
    });
  }

  /**
   * Records that the provider known by any of `keys` is given this agent's id, and true; false, recording nothing,
   * when one of them, or of `checked`, was shown a pseudonym (the id must then not be sent). `checked` are keys the
   * provider only claims (a node named by an invoice nobody paid): checked, never marked, so that a third party
   * naming another node cannot take that node's anonymous gating from this payer.
   */
  claimNamed(keys: readonly string[], checked: readonly string[] = []): Promise<boolean> {
    return this.locked(async () => {
      if ([...keys, ...checked].some((key) => this.state.marks.get(key) === 'anonymous')) return false;
      await this.mark(keys, 'named');
      return true;
    });
  }

  /**
   * Records that a pseudonym of `epoch` is proved at the provider of node key `provider`, named by `origin`'s
   * challenge when given; `WOULD_LINK` when a later epoch's was proved there already (going back would interleave
   * two days' pseudonyms as the provider chose), and `LIMIT_REACHED` when `origin` has named
   * {@link MAX_UNPAID_NODES_PER_ORIGIN} other node keys in the linking window none of whose invoices was paid (see
   * {@link paid}). Either refusal records no epoch nor node key, but records the challenge as the visit the operator
   * sees, each scope apart: its entry carrying what its component left (the members in common kept to
   * `minAnonymity`, the payer's, when given) and its component linked again, as {@link reserve} records an unpaid
   * challenge, joining nothing, and dropping what {@link reserve} drops. Epochs two or more older than `epoch` are
   * dropped (the client proves no such epoch), and an origin's node keys once out of the linking window.
   */
  claimEpoch(provider: string, epoch: number, origin?: string, minAnonymity?: number): Promise<void> {
    // Refused here, before any reservation, the challenge is still a visit the operator sees (an unpaid challenge
    // linked by timing and address like any other): it is recorded as one, each scope apart (see `visited`).
    const invalid = invalidMinAnonymity(minAnonymity);
    if (invalid !== undefined) return Promise.reject(invalid);
    const scopes = origin === undefined ? [provider] : [provider, originScope(origin)];
    const refuse = async (error: AgoraError): Promise<never> => {
      // Dropped as `refusedVisit` drops (the label was checked within the skew of the payer's clock): else a payer
      // refused here day after day (an origin over its bound) keeps what no window sees for good.
      const dropped = this.dropUnreachable(epoch);
      if (this.visited(scopes, epoch, minAnonymity) || dropped) await this.save();
      throw error;
    };
    return this.locked(async () => {
      const latest = this.state.epochs.get(provider);
      if (latest !== undefined && latest > epoch)
        return refuse(
          new AgoraError(
            ErrorCode.WouldLink,
            `${provider} was shown this payer's epoch ${latest} pseudonym: it is shown none of epoch ${epoch}`,
          ),
        );
      let changed = false;
      if (origin !== undefined) {
        const nodes = this.state.origins.get(origin) ?? new Map<string, OriginNode>();
        // The claimed epoch's own window, not the one before it as `reserve` keeps: this record only bounds how many
        // throwaway keys' entries an origin makes the history keep (no proof is checked against it), and a key
        // dropped here a day before its entries are at most doubles that bound, never lifts it.
        for (const [node, named] of nodes)
          if (named.epoch <= epoch - CREDENTIAL_LINK_EPOCHS) changed = nodes.delete(node) || changed;
        const before = nodes.get(provider);
        const unpaid = [...nodes].filter(([node, named]) => node !== provider && !named.paid).length;
        if (before === undefined && unpaid >= MAX_UNPAID_NODES_PER_ORIGIN) {
          return refuse(
            new AgoraError(
              ErrorCode.LimitReached,
              `${origin} named ${unpaid} other Lightning nodes for this payer's pseudonyms in the last ${CREDENTIAL_LINK_EPOCHS} epochs, none of whose invoices was paid: it is shown no pseudonym for another one (each would keep a member list in the credential history)`,
            ),
          );
        }
        if (before === undefined || before.epoch < epoch) {
          nodes.set(provider, { epoch, paid: before?.paid ?? false });
          changed = true;
        }
        if (nodes.size === 0) this.state.origins.delete(origin);
        else this.state.origins.set(origin, nodes);
      }
      if (latest !== epoch) {
        for (const [key, proved] of this.state.epochs) if (proved < epoch - 1) this.state.epochs.delete(key);
        this.state.epochs.set(provider, epoch);
        changed = true;
      }
      if (changed) await this.save();
    });
  }

  /**
   * Records a visit the operator sees that no reservation records, at `epoch`, as `claimEpoch`'s refusals are
   * recorded: each scope apart, joining nothing, nothing for a scope with no history (see `visited`). `l402Fetch`
   * calls it for every 402 whose invoice names a node key, as it reads it (a credential challenge refused before
   * {@link claimEpoch}, its epoch label outside the tolerated skew say, at the payer's own epoch; a challenge asking
   * no credential, paid or not), and for every request sending a held token. Without it one such visit keeps the
   * operator's chain going while the history breaks it (the stale-label, price, ungated and token-reuse bridges).
   */
  refusedVisit(provider: string, epoch: number, origin?: string, minAnonymity?: number): Promise<void> {
    return this.visit(
      origin === undefined ? [provider] : [provider, originScope(origin)],
      epoch,
      minAnonymity,
    );
  }

  /**
   * Records a request to `origin` that names no node key, at `epoch`, as the visit of the origin's scope alone
   * ({@link originScope}): its component linked again and carrying what it left, nothing joined, nothing written for
   * an origin with no history (see `visited`). `l402Fetch` calls it for every request it sends without a token (a
   * free endpoint of the origin answered without a challenge, a 402 whose invoice it cannot read, the first request
   * of any purchase): the operator links such a request by timing and address to the origin's other visits, and one
   * the history never saw bridges the linking window through the origin (the free-endpoint bridge). A visit already
   * recorded in `epoch` by this history is not recorded again (no lock, no parse; one read of the document, to find
   * it unchanged by any other writer).
   */
  originVisit(origin: string, epoch: number, minAnonymity?: number): Promise<void> {
    return this.visit([originScope(origin)], epoch, minAnonymity);
  }

  /**
   * Records the visit of `scopes` at `epoch` (`visited`), dropping what `reserve` drops, unless this history recorded
   * it already in that epoch and the document is the one it last read or wrote. A second visit of a scope in one
   * epoch adds nothing the first did not: it renews the same component in the same epoch, and what it would carry
   * (the component's window around that epoch) is, for any later proof that can see that entry, seen through the
   * link the first renewed (the window's reach of one label more at each end covers a label written later in the
   * epoch). Nothing drops a recorded visit but a prune: this history's own (`dropUnreachable` drops that epoch's
   * notes) or another writer's (a changed document: the notes are cleared and the visit recorded again).
   */
  private visit(scopes: readonly string[], epoch: number, minAnonymity?: number): Promise<void> {
    const invalid = invalidMinAnonymity(minAnonymity);
    if (invalid !== undefined) return Promise.reject(invalid);
    if (!Number.isSafeInteger(epoch) || epoch < 0)
      return Promise.reject(new AgoraError(ErrorCode.InvalidArgument, `bad credential epoch ${epoch}`));
    const keys = scopes.map((scope) => `${minAnonymity ?? 0} ${scope}`);
    const recorded = () => {
      const notes = this.noted.get(epoch);
      return notes !== undefined && keys.every((key) => notes.has(key));
    };
    const record = () =>
      this.locked(async () => {
        // Dropped as `reserve` drops (the visit's label is within the skew of the payer's clock, as a reservation's):
        // else a payer only visiting (ungated purchases) keeps every day's entries for good (the visit-growth review).
        const dropped = this.dropUnreachable(epoch);
        if (this.visited(scopes, epoch, minAnonymity) || dropped) await this.save();
        // Noted under the lock, once written: a read after it that finds another writer's change clears it.
        const notes = this.noted.get(epoch) ?? new Set<string>();
        for (const key of keys) notes.add(key);
        this.noted.set(epoch, notes);
        for (const at of this.noted.keys()) if (at < epoch - 1) this.noted.delete(at);
      });
    if (!recorded()) return record();
    return this.store.read().then((text) => (text === this.known && recorded() ? undefined : record()));
  }

  /** Drops the entries, proofs and links no window from `epoch - 1` on can see (see {@link reserve}); true if any. */
  private dropUnreachable(epoch: number): boolean {
    let changed = false;
    for (const entries of [this.state.shown, this.state.refused, this.state.proofs, this.state.links])
      for (const [old, entry] of entries)
        if (entry.epoch < epoch - LINK_REACH) changed = entries.delete(old) || changed;
    // A visit noted in an epoch dropped here is recorded no longer.
    for (const at of this.noted.keys()) if (at < epoch - LINK_REACH) this.noted.delete(at);
    return changed;
  }

  /**
   * Records a challenge refused before any reservation (`claimEpoch`'s `WOULD_LINK` and `LIMIT_REACHED`, a label
   * {@link refusedVisit} records) as the visit
   * the operator sees, as {@link reserve} records an unpaid challenge but each scope apart: any origin can name any
   * node key, so a challenge refused here joins nothing. Each scope's entry of `epoch` carries forward what its
   * component's windows left ({@link seenLinked}: the members in common, unless fewer than `minAnonymity`, then its
   * own window's, as {@link CredentialRefusal.minAnonymity} says; every member ruled out; its own roots; nothing
   * when there is none of them), and each scope's component is linked again in `epoch`: without both, the operator
   * chains the component's narrowing through this visit while the history breaks the chain (the link-limit-bridge
   * review). A scope with no history (a throwaway key) records nothing, so an origin over its bound still grows the
   * history by nothing per fresh key. True when something changed (the caller saves).
   */
  private visited(scopes: readonly string[], epoch: number, minAnonymity?: number): boolean {
    let changed = false;
    for (const scope of scopes) {
      const linked = this.seenLinked([scope], epoch);
      const window =
        linked?.among === undefined || minAnonymity === undefined || linked.among.size >= minAnonymity
          ? linked
          : this.seenAt(scope, epoch);
      changed = this.carryRefusal(scope, epoch, linked?.excluded ?? new Set<string>(), window) || changed;
      changed = linkComponent(this.state.links, epoch, this.linkedScopes(scope, epoch)) || changed;
    }
    return changed;
  }

  /**
   * Carries an unpaid visit's `excluded` members and `window` (members in common and roots) into `scope`'s refused
   * entry of `epoch`. Nothing to carry (no proof in the window, nobody ruled out): no entry, which would only grow
   * the history. True when the entry changed.
   */
  private carryRefusal(
    scope: string,
    epoch: number,
    excluded: ReadonlySet<string>,
    window: { readonly among?: ReadonlySet<string>; readonly roots?: ReadonlySet<bigint> } | undefined,
  ): boolean {
    if (excluded.size === 0 && window?.among === undefined) return false;
    const key = shownKey(scope, epoch);
    const before = this.state.refused.get(key);
    const after = withRefusal(before, epoch, excluded, window?.among, window?.roots);
    if (
      before !== undefined &&
      after.excluded.size === before.excluded.size &&
      after.among?.size === before.among?.size &&
      after.roots?.size === before.roots?.size
    )
      return false;
    this.state.refused.set(key, after);
    return true;
  }

  /**
   * Records that an invoice of node key `provider`, named by `origin` for a pseudonym, was paid: that node no longer
   * counts toward `origin`'s {@link MAX_UNPAID_NODES_PER_ORIGIN}. Writes nothing when it was recorded already.
   */
  paid(provider: string, origin: string): Promise<void> {
    return this.locked(async () => {
      const nodes = this.state.origins.get(origin);
      const named = nodes?.get(provider);
      if (nodes === undefined || named === undefined || named.paid) return;
      nodes.set(provider, { ...named, paid: true });
      await this.save();
    });
  }

  private async mark(keys: readonly string[], mark: CredentialMark): Promise<void> {
    if (keys.every((key) => this.state.marks.get(key) === mark)) return;
    for (const key of keys) this.state.marks.set(key, mark);
    await this.save();
  }
}
