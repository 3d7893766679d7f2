import { AgoraError, ErrorCode, isDecimal, isJsonObject, parseJson } from '../core/index.js';
import { type AgentStateStore, memoryAgentState } from '../identity/index.js';

const KIND = 'agora402/credential-history';

/**
 * What one provider node key has been shown in one credential epoch, over all its pseudonyms of this payer (every
 * service and level): the roots proved against and the members reaching the level asked in every proof shown.
 */
export interface ShownCredential {
  /** The credential epoch: entries {@link CREDENTIAL_LINK_EPOCHS} epochs old are dropped. */
  readonly epoch: number;
  readonly roots: ReadonlySet<bigint>;
  readonly among: ReadonlySet<string>;
}

/**
 * How many consecutive credential epochs one node's operator is assumed to link a payer's pseudonyms over (by the
 * timing and network address it links them with within one epoch: yesterday's pseudonym last used minutes before
 * today's first). What a node key was shown in the last 7 epochs counts together; a payer away from a node for 7
 * epochs starts there anew. An entry carries the set it left forward, so a payer using a node every few days stays
 * counted over all of them.
 */
export const CREDENTIAL_LINK_EPOCHS = 7;

/**
 * What one provider node key has seen of this payer over the last {@link CREDENTIAL_LINK_EPOCHS} epochs, linked: the
 * roots proved against, the members common to every proof (undefined when none was proved), and the members the
 * payer's refusals there ruled out (those reaching a level it refused, in the root it would have proved against).
 */
export interface NodeHistory {
  readonly roots: ReadonlySet<bigint>;
  readonly among: ReadonlySet<string> | undefined;
  readonly excluded: ReadonlySet<string>;
}

/**
 * A refusal to prove, seen by the operator (a challenge never paid): the error to throw and the members it rules out
 * for an operator reading it as "below the level asked", recorded before it is thrown.
 */
export interface CredentialRefusal {
  readonly refused: AgoraError;
  readonly excluded: ReadonlySet<string>;
}

/** How a provider knows this payer: by its agent id (`named`) or by a pseudonym (`anonymous`). */
export type CredentialMark = 'named' | 'anonymous';

/**
 * A credential history's content: what each provider node key was shown in each epoch (keyed
 * `<node key> <epoch>`), each provider key's mark, and the latest credential epoch proved at each provider node key.
 */
export interface CredentialHistoryState {
  readonly shown: Map<string, ShownCredential>;
  /** Per `<node key> <epoch>`, the members ruled out by the refusals seen there (see {@link CredentialRefusal}). */
  readonly refused: Map<string, { readonly epoch: number; readonly excluded: ReadonlySet<string> }>;
  readonly marks: Map<string, CredentialMark>;
  readonly epochs: Map<string, number>;
}

/** Where what a provider node key was shown in an epoch is kept. */
const shownKey = (provider: string, epoch: number): string => `${provider} ${epoch}`;

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
});

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * Reads a credential history document as {@link formatCredentialHistory} writes it; `INVALID_JSON` for anything
 * else. A damaged history is refused, never read as empty: an empty one would let a pseudonym be shown again.
 */
export function parseCredentialHistory(text: string): CredentialHistoryState {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    return damaged('not JSON');
  }
  if (!isJsonObject(value) || value.kind !== KIND || value.v !== 1) return damaged(`not a ${KIND} v1`);
  const { shown, named, anonymous, epochs, refused } = value;
  if (!Array.isArray(shown) || !isStringList(named) || !isStringList(anonymous))
    return damaged('shown, named and anonymous are lists');
  // `epochs` came after the first documents: one without it has proved no epoch it knows of.
  if (epochs !== undefined && !Array.isArray(epochs)) return damaged('epochs is a list');
  // So did `refused`: one without it recorded no refusal.
  if (refused !== undefined && !Array.isArray(refused)) return damaged('refused is a list');
  const state = emptyState();
  for (const entry of shown) {
    if (!isJsonObject(entry)) return damaged('a shown entry is not an object');
    const { provider, scope, epoch, roots, among } = entry;
    // Documents before the per-node entries kept one per pseudonym scope, `<node key> <service> <epoch> <level>`:
    // read as their node key's, merged below.
    const node =
      typeof provider === 'string' ? provider : typeof scope === 'string' ? scope.split(' ')[0] : undefined;
    if (node === undefined || typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0)
      return damaged('a shown entry has no provider or epoch');
    if (!isStringList(roots) || roots.length === 0 || !roots.every((root) => isDecimal(root)))
      return damaged('a shown entry lists no decimal roots');
    if (!isStringList(among)) return damaged('a shown entry lists no members');
    const key = shownKey(node as string, epoch);
    const before = state.shown.get(key);
    state.shown.set(key, {
      epoch,
      roots: new Set([...(before?.roots ?? []), ...roots.map(BigInt)]),
      among: new Set(before === undefined ? among : among.filter((agent) => before.among.has(agent))),
    });
  }
  for (const entry of refused ?? []) {
    if (!isJsonObject(entry)) return damaged('a refused entry is not an object');
    const { provider, epoch, excluded } = entry;
    if (typeof provider !== 'string' || !isEpoch(epoch) || !isStringList(excluded))
      return damaged('a refused entry has no provider, epoch or members');
    const key = shownKey(provider, epoch);
    state.refused.set(key, {
      epoch,
      excluded: new Set([...(state.refused.get(key)?.excluded ?? []), ...excluded]),
    });
  }
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

/** The document {@link parseCredentialHistory} reads. */
export function formatCredentialHistory(state: CredentialHistoryState): string {
  const marked = (mark: CredentialMark) =>
    [...state.marks].filter(([, kind]) => kind === mark).map(([key]) => key);
  return `${JSON.stringify({
    kind: KIND,
    v: 1,
    shown: [...state.shown].map(([key, entry]) => ({
      provider: key.slice(0, key.lastIndexOf(' ')),
      epoch: entry.epoch,
      roots: [...entry.roots].map(String),
      among: [...entry.among],
    })),
    named: marked('named'),
    anonymous: marked('anonymous'),
    epochs: [...state.epochs].map(([provider, epoch]) => ({ provider, epoch })),
    refused: [...state.refused].map(([key, entry]) => ({
      provider: key.slice(0, key.lastIndexOf(' ')),
      epoch: entry.epoch,
      excluded: [...entry.excluded],
    })),
  })}\n`;
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
 * - per provider (its node key, its origin), whether it was given the agent id or a pseudonym: never both;
 * - per provider node key, the latest credential epoch proved there: a provider choosing the epoch per challenge at
 *   an epoch's edge never gets the earlier day's pseudonym back after the later one's.
 *
 * Every check-and-record runs under one promise chain, on the document re-read from the store while holding the
 * store's lock against other processes (a file store's `<path>.lock`), and is written (whole, atomically) before it
 * returns: two proofs started together are serialized, the second sees the first, whichever process made it.
 */
export class CredentialHistory {
  private queue: Promise<unknown> = Promise.resolve();

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
      if (text !== undefined) this.state = parseCredentialHistory(text);
      return step();
    };
    const exclusive = () => (this.store.exclusive === undefined ? fresh() : this.store.exclusive(fresh));
    const run = this.queue.then(exclusive, exclusive);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private save(): Promise<void> {
    return this.store.write(formatCredentialHistory(this.state));
  }

  /** What the provider of node key `provider` has been shown in `epoch`, if anything. */
  shownAt(provider: string, epoch: number): ShownCredential | undefined {
    return this.state.shown.get(shownKey(provider, epoch));
  }

  /**
   * What the provider of node key `provider` has seen of this payer over the {@link CREDENTIAL_LINK_EPOCHS} epochs
   * up to `epoch`, linked; undefined when nothing.
   */
  seenAt(provider: string, epoch: number): NodeHistory | undefined {
    const roots = new Set<bigint>();
    const excluded = new Set<string>();
    let among: Set<string> | undefined;
    let any = false;
    for (let at = Math.max(0, epoch - CREDENTIAL_LINK_EPOCHS + 1); at <= epoch; at++) {
      const key = shownKey(provider, at);
      const shown = this.state.shown.get(key);
      const refused = this.state.refused.get(key);
      if (shown !== undefined) {
        for (const root of shown.roots) roots.add(root);
        among = new Set(
          among === undefined ? shown.among : [...among].filter((agent) => shown.among.has(agent)),
        );
      }
      for (const agent of refused?.excluded ?? []) excluded.add(agent);
      any ||= shown !== undefined || refused !== undefined;
    }
    return any ? { roots, among, excluded } : undefined;
  }

  /**
   * Reserves a proof of a pseudonym of `epoch` at the provider of node key `provider` (any service, any level):
   * `choose` sees what that node key has seen of this payer over the linking window ({@link seenAt}; nothing
   * earlier is pending) and picks the root and the members the payer will then hide among, or returns a refusal;
   * the choice (or the members the refusal rules out) is recorded and written before this resolves (or throws the
   * refusal), so it holds whether or not the proof follows. Entries older than the window are dropped.
   */
  reserve<T extends { root: bigint; among: ReadonlySet<string> }>(
    provider: string,
    epoch: number,
    choose: (seen: NodeHistory | undefined) => T | CredentialRefusal,
  ): Promise<T> {
    return this.locked(async () => {
      const key = shownKey(provider, epoch);
      const chosen = choose(this.seenAt(provider, epoch));
      for (const entries of [this.state.shown, this.state.refused])
        for (const [old, entry] of entries)
          if (entry.epoch <= epoch - CREDENTIAL_LINK_EPOCHS) entries.delete(old);
      if ('refused' in chosen) {
        const before = this.state.refused.get(key)?.excluded ?? new Set<string>();
        if ([...chosen.excluded].some((agent) => !before.has(agent))) {
          this.state.refused.set(key, { epoch, excluded: new Set([...before, ...chosen.excluded]) });
          await this.save();
        }
        throw chosen.refused;
      }
      this.state.shown.set(key, {
        epoch,
        roots: new Set([...(this.state.shown.get(key)?.roots ?? []), chosen.root]),
        among: chosen.among,
      });
      await this.save();
      return chosen;
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
   * Records that a pseudonym of `epoch` is proved at the provider of node key `provider`; `WOULD_LINK`, recording
   * nothing, when a later epoch's was proved there already (going back would interleave two days' pseudonyms as the
   * provider chose). Entries two or more epochs older than `epoch` are dropped: the client proves no such epoch.
   */
  claimEpoch(provider: string, epoch: number): Promise<void> {
    return this.locked(async () => {
      const latest = this.state.epochs.get(provider);
      if (latest !== undefined && latest > epoch)
        throw new AgoraError(
          ErrorCode.WouldLink,
          `${provider} was shown this payer's epoch ${latest} pseudonym: it is shown none of epoch ${epoch}`,
        );
      if (latest === epoch) return;
      for (const [key, proved] of this.state.epochs) if (proved < epoch - 1) this.state.epochs.delete(key);
      this.state.epochs.set(provider, epoch);
      await this.save();
    });
  }

  private async mark(keys: readonly string[], mark: CredentialMark): Promise<void> {
    if (keys.every((key) => this.state.marks.get(key) === mark)) return;
    for (const key of keys) this.state.marks.set(key, mark);
    await this.save();
  }
}
