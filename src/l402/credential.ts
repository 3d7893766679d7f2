import {
  AgoraError,
  canonicalJson,
  ErrorCode,
  fromBase64Url,
  fromUtf8,
  hasExactKeys,
  isDecimal,
  isJsonObject,
  parseJson,
  toBase64Url,
  toHex,
  utf8,
} from '../core/index.js';
import { BN254_SCALAR_FIELD } from '../identity/index.js';
import {
  type Groth16Proof,
  type MembershipPath,
  type Prover,
  publicSignalsOf,
  toField,
  type VoteProof,
  type VoteStatement,
} from '../zk/index.js';
import { CREDENTIAL_LINK_EPOCHS, type CredentialHistory, originScope } from './credential-history.js';

/**
 * The reputation thresholds an anonymous credential can prove, in parts per billion of all trust (the unit of
 * reputation scores): 31 levels from 10^3 to 10^9, each 10^0.2 (about 1.58) times the one before. Fixed for every
 * snapshot, so a threshold names one level everywhere. Level `i` is bit `i` of a credential leaf's weight.
 */
export const REPUTATION_LEVELS: readonly number[] = [
  1000, 1585, 2512, 3981, 6310, 10000, 15849, 25119, 39811, 63096, 100000, 158489, 251189, 398107, 630957,
  1000000, 1584893, 2511886, 3981072, 6309573, 10000000, 15848932, 25118864, 39810717, 63095734, 100000000,
  158489319, 251188643, 398107171, 630957344, 1000000000,
];

/**
 * The vote circuit's largest denomination for credential proofs: 2^31, above every credential weight, so the
 * circuit's remainder branch applies (a set bit of the weight, piece index forced to 0) and a payer has exactly one
 * nullifier per scope and level.
 */
export const CREDENTIAL_TOP = 31;

/** Most snapshot roots a credential caveat lists: providers accept proofs against the last few snapshots. */
export const MAX_CREDENTIAL_ROOTS = 8;

/** Longest `Agora-Credential` value read (a proof is about 1 kB): checked before any parsing. */
export const MAX_CREDENTIAL_HEADER = 4096;

/**
 * Length of a credential epoch, seconds: epoch `n` runs from `n * 86,400` to `(n + 1) * 86,400` Unix seconds (UTC
 * days). Fixed for every provider, so a payer computes the current epoch itself and refuses a challenge naming
 * another: a provider that kept one epoch forever would link all of a payer's purchases under one pseudonym.
 */
export const CREDENTIAL_EPOCH_SECONDS = 86_400;

/** Clock difference a payer tolerates at an epoch's edges (seconds): a provider a little behind or ahead. */
export const CREDENTIAL_EPOCH_SKEW_SECONDS = 300;

/**
 * How old a snapshot must be (its `asOf`, seconds) before a payer proves against it: long enough for it to have
 * reached every replica that syncs. A root only some payers hold (one published minutes ago) would sort the
 * provider's payers by what their replicas hold, whatever the anonymity set counted in leaves says.
 */
export const CREDENTIAL_ROOT_SETTLE_SECONDS = 3_600;

/** The credential epoch at `nowSeconds` (Unix seconds). */
export const credentialEpoch = (nowSeconds: number): number =>
  Math.floor(nowSeconds / CREDENTIAL_EPOCH_SECONDS);

/**
 * Checks, on the payer's side, the epoch a provider's challenge names: it must be the epoch of `nowSeconds`, or the
 * one beside it when now lies within {@link CREDENTIAL_EPOCH_SKEW_SECONDS} of their boundary. `INVALID_TOKEN`
 * otherwise, before anything is proved or paid.
 */
export function checkCredentialEpoch(epoch: number, nowSeconds: number): void {
  const start = epoch * CREDENTIAL_EPOCH_SECONDS;
  const skew = CREDENTIAL_EPOCH_SKEW_SECONDS;
  if (nowSeconds < start - skew || nowSeconds >= start + CREDENTIAL_EPOCH_SECONDS + skew)
    throw new AgoraError(
      ErrorCode.InvalidToken,
      `the provider's credential epoch ${epoch} is not the current one (${credentialEpoch(nowSeconds)}): a stale epoch would link this payer's purchases`,
    );
}

/**
 * Fewest snapshot leaves that must reach a threshold before a payer proves it (as votes' `minAnonymity`): a proof
 * says "one of these leaves", so a threshold few reach names its payer among few.
 */
export const DEFAULT_CREDENTIAL_ANONYMITY = 8;

/** The caveat condition asking for an anonymous reputation credential. */
export const CREDENTIAL_CAVEAT = 'agora_anon_reputation';

/**
 * A credential leaf's weight for a reputation score: bit `i` set for every level `i` the score reaches (a
 * thermometer code), so "bit `i` is set" says exactly "score >= REPUTATION_LEVELS[i]", and 0 below the first level.
 */
export function credentialWeight(score: number | bigint): bigint {
  const value = Number(score);
  let weight = 0n;
  REPUTATION_LEVELS.forEach((threshold, level) => {
    if (value >= threshold) weight |= 1n << BigInt(level);
  });
  return weight;
}

/** The level of a threshold, or undefined when it is not one of {@link REPUTATION_LEVELS}. */
export function levelOf(threshold: number): number | undefined {
  const level = REPUTATION_LEVELS.indexOf(threshold);
  return level < 0 ? undefined : level;
}

/** The lowest level at or above `minScore` (ppb): what a provider asking for at least that score requires. */
export function levelAtLeast(minScore: number): number {
  const level = REPUTATION_LEVELS.findIndex((threshold) => threshold >= minScore);
  if (!Number.isFinite(minScore) || minScore <= 0 || level < 0)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `a credential threshold is a score from 1 to ${REPUTATION_LEVELS.at(-1)} ppb, not ${minScore}`,
    );
  return level;
}

/** What a credential caveat asks: a score of at least `threshold`, proved against one of `roots`, in `epoch`. */
export interface CredentialRequirement {
  /** One of {@link REPUTATION_LEVELS}. */
  readonly threshold: number;
  /** The provider's epoch number when it minted the token: the pseudonym is per provider and epoch. */
  readonly epoch: number;
  /** Accepted snapshot roots, newest first: 1 to {@link MAX_CREDENTIAL_ROOTS}. */
  readonly roots: readonly bigint[];
}

/** `agora_anon_reputation=<threshold>:<epoch>:<root>.<root>...` (decimal roots). */
export function credentialCaveat(requirement: CredentialRequirement): string {
  if (levelOf(requirement.threshold) === undefined)
    throw new AgoraError(ErrorCode.InvalidArgument, `${requirement.threshold} is not a reputation level`);
  if (!Number.isSafeInteger(requirement.epoch) || requirement.epoch < 0)
    throw new AgoraError(ErrorCode.InvalidArgument, 'an epoch is a whole number');
  if (requirement.roots.length === 0 || requirement.roots.length > MAX_CREDENTIAL_ROOTS)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `a credential caveat lists 1 to ${MAX_CREDENTIAL_ROOTS} roots`,
    );
  for (const root of requirement.roots)
    if (root < 0n || root >= BN254_SCALAR_FIELD)
      throw new AgoraError(ErrorCode.InvalidArgument, 'a snapshot root is a BN254 field element');
  return `${CREDENTIAL_CAVEAT}=${requirement.threshold}:${requirement.epoch}:${requirement.roots.join('.')}`;
}

/** Reads a credential caveat's value; `INVALID_TOKEN` for anything but the form {@link credentialCaveat} writes. */
export function parseCredentialCaveat(value: string): CredentialRequirement {
  const bad = (): never => {
    throw new AgoraError(
      ErrorCode.InvalidToken,
      `malformed ${CREDENTIAL_CAVEAT} ${JSON.stringify(value.slice(0, 80))}`,
    );
  };
  // 8 roots of 78 digits and two short numbers: anything longer is refused before splitting.
  if (value.length > 700) bad();
  const [threshold, epoch, roots, ...rest] = value.split(':');
  if (rest.length > 0 || threshold === undefined || epoch === undefined || roots === undefined) return bad();
  if (!/^\d{1,10}$/.test(threshold) || !/^\d{1,15}$/.test(epoch)) bad();
  if (levelOf(Number(threshold)) === undefined) bad();
  const list = roots.split('.');
  if (list.length > MAX_CREDENTIAL_ROOTS || !list.every((root) => isDecimal(root) && root.length <= 78))
    bad();
  const parsed = list.map(BigInt);
  if (parsed.some((root) => root >= BN254_SCALAR_FIELD)) bad();
  return { threshold: Number(threshold), epoch: Number(epoch), roots: parsed };
}

/** Who a credential is shown to: the provider's node key (the invoice's payee) and service, in one epoch. */
export interface CredentialAudience {
  /** The provider's Lightning node key, 33 bytes hex. */
  readonly provider: string;
  readonly service: string;
  readonly epoch: number;
}

/**
 * The proof's scope: provider, service and epoch, as a field element. The nullifier is Poseidon(scope + level,
 * secret), so one payer has one pseudonym per provider, service, epoch and level, and pseudonyms under two scopes
 * cannot be linked without the secret.
 */
export function credentialScope(audience: CredentialAudience): bigint {
  return toField(
    'credential-scope',
    utf8(canonicalJson({ epoch: audience.epoch, provider: audience.provider, service: audience.service })),
  );
}

/** The token a proof is bound to (its whole macaroon identifier: payment hash and token id), as a field element. */
export const credentialTokenField = (identifier: Uint8Array): bigint =>
  toField('credential-token', utf8(toHex(identifier)));

/** The vote-circuit statement of a credential: root, scope, token, `2^level` as the piece, top 2^31. */
export function credentialStatement(
  audience: CredentialAudience,
  identifier: Uint8Array,
  level: number,
  root: bigint,
): VoteStatement {
  return {
    root,
    scope: credentialScope(audience),
    vote: credentialTokenField(identifier),
    votingWeight: 1n << BigInt(level),
    top: CREDENTIAL_TOP,
  };
}

/** What a payer shows: the root it proved against, its pseudonym (the nullifier) and the proof. */
export interface Credential {
  readonly root: bigint;
  readonly nullifier: bigint;
  readonly proof: Pick<Groth16Proof, 'pi_a' | 'pi_b' | 'pi_c'>;
}

/** The proof with the public signals the verifier checks it against. */
export function credentialProof(statement: VoteStatement, credential: Credential): VoteProof {
  const { pi_a, pi_b, pi_c } = credential.proof;
  return {
    proof: { pi_a, pi_b, pi_c, protocol: 'groth16', curve: 'bn128' },
    publicSignals: publicSignalsOf(statement, credential.nullifier),
  };
}

/** `Agora-Credential`: base64url of the canonical JSON `{nullifier, proof, root}`. */
export function formatCredentialHeader(credential: Credential): string {
  const { pi_a, pi_b, pi_c } = credential.proof;
  return toBase64Url(
    utf8(
      canonicalJson({
        nullifier: credential.nullifier.toString(),
        proof: { pi_a, pi_b, pi_c },
        root: credential.root.toString(),
      }),
    ),
  );
}

const isDecimalList = (value: unknown, length: number): value is string[] =>
  Array.isArray(value) &&
  value.length === length &&
  value.every((item) => isDecimal(item) && item.length <= 78);

/**
 * Reads an `Agora-Credential` value: its length first, then exact shape (decimal field elements, snarkjs's point
 * arrays); `INVALID_PROOF` for anything else. Whether the points are on their curves is the verifier's concern.
 */
export function parseCredentialHeader(text: string): Credential {
  const bad = (why: string): never => {
    throw new AgoraError(ErrorCode.InvalidProof, `malformed Agora-Credential: ${why}`);
  };
  if (text.length > MAX_CREDENTIAL_HEADER) bad(`longer than ${MAX_CREDENTIAL_HEADER} characters`);
  let value: unknown;
  try {
    value = parseJson(fromUtf8(fromBase64Url(text)));
  } catch {
    return bad('not base64url JSON');
  }
  if (!isJsonObject(value) || !hasExactKeys(value, ['nullifier', 'proof', 'root']))
    return bad('not {nullifier, proof, root}');
  const { nullifier, proof, root } = value;
  if (!isDecimal(nullifier) || !isDecimal(root) || nullifier.length > 78 || root.length > 78)
    return bad('nullifier and root are decimal field elements');
  if (!isJsonObject(proof) || !hasExactKeys(proof, ['pi_a', 'pi_b', 'pi_c']))
    return bad('proof is {pi_a, pi_b, pi_c}');
  const { pi_a, pi_b, pi_c } = proof;
  if (!isDecimalList(pi_a, 3) || !isDecimalList(pi_c, 3))
    return bad('pi_a and pi_c are 3 decimal coordinates');
  if (!Array.isArray(pi_b) || pi_b.length !== 3 || !pi_b.every((pair) => isDecimalList(pair, 2)))
    return bad('pi_b is 3 pairs of decimal coordinates');
  const fields = [BigInt(nullifier), BigInt(root)];
  if (fields.some((field) => field >= BN254_SCALAR_FIELD)) bad('a value lies outside the BN254 scalar field');
  return {
    nullifier: fields[0] as bigint,
    root: fields[1] as bigint,
    proof: { pi_a, pi_b: pi_b as string[][], pi_c },
  };
}

/**
 * What a payer holds to prove its reputation: its ZK secret and, for a snapshot root, its weight and path in that
 * snapshot's credential tree (undefined when it has no leaf there), and how many leaves reach each level.
 */
export interface CredentialHolder {
  readonly prover: Prover;
  readonly secret: bigint;
  /**
   * Fewest leaves of the snapshot that must reach the asked threshold for this holder to prove it (default
   * {@link DEFAULT_CREDENTIAL_ANONYMITY}).
   */
  readonly minAnonymity?: number;
  witness(root: bigint): { weight: bigint; path: MembershipPath } | undefined;
  /**
   * Least age (seconds) of a snapshot's `asOf` before this holder proves against it (default
   * {@link CREDENTIAL_ROOT_SETTLE_SECONDS}); 0 only where every payer reads one ledger (the simulator).
   */
  readonly rootSettleSeconds?: number;
  /** The `asOf` (Unix seconds) of snapshot `root`; undefined when the holder does not know `root`. */
  asOf(root: bigint): number | undefined;
  /**
   * The members (agent ids) of snapshot `root` whose weight has bit `level` set: those a proof at that level hides
   * among; undefined when the holder does not know `root`.
   */
  reaching(root: bigint, level: number): ReadonlySet<string> | undefined;
  /**
   * What this payer has shown, kept with the agent and shared by every holder built for it: per provider node key
   * and epoch (over every service and level shown there), the roots it proved against and the members reaching each
   * proof's level in its root. Linked by the operator, the proofs hide the payer only among the members common to
   * all; proofs keep that set at `minAnonymity` or more, reserving it before proving.
   */
  readonly history: CredentialHistory;
}

/**
 * Proves the credential a token's caveat asks for, against the root this provider node was shown in the linking
 * window if it still lists one, else the listed root the holder knows with the newest `asOf` at least
 * {@link CREDENTIAL_ROOT_SETTLE_SECONDS} before `nowSeconds` (whether or not it holds a leaf there; never by the
 * provider's order, which would let it pick): `INVALID_PROOF`, before anything is paid, when the holder knows none,
 * when its score there is below the threshold, or when fewer than `minAnonymity` leaves there reach the threshold.
 * It never falls back to an older root: a proof against an older root than the rule picks would tell the provider
 * that the payer fell below the threshold in the newer one. `nowSeconds` defaults to the system clock.
 * Once the credential is sent and answered, the caller records it shown (`holder.history.showed`, with the node key
 * and the origin's `originScope`, the epoch, the root and the level): `l402Fetch` does; a proof never recorded so
 * only lets fewer later proofs through.
 */
export async function proveCredential(
  holder: CredentialHolder,
  requirement: CredentialRequirement,
  audience: Omit<CredentialAudience, 'epoch'> & {
    /**
     * The origin whose challenge asked (`https://host`): what it was shown through any node key counts with what
     * this node key was shown. One origin is one server, linking its own requests; given none, the node key only.
     */
    readonly origin?: string;
  },
  identifier: Uint8Array,
  nowSeconds: number = Date.now() / 1000,
): Promise<Credential> {
  const level = levelOf(requirement.threshold) as number;
  // A payer's pseudonyms at one provider node (its services, its levels, consecutive epochs) may be linked by the
  // operator (timing, network address), and one pseudonym is the same whatever the root: together they hide the payer
  // only among the members reaching each proof's level in its root, less those its refusals there ruled out. So a
  // root already shown at this node key in the linking window is kept while the provider lists it, and a proof
  // leaving fewer than `minAnonymity` members common to all is refused. The origin asking links its own requests
  // whatever node key each names (a second node, a phantom key): what it was shown counts too, so naming another
  // key resets nothing. The choice (or a refusal) is recorded in the agent's history, under the node key and the
  // origin, before proving (or throwing): a proof started meanwhile sees it. Every challenge left unpaid here is a
  // refusal so recorded, whatever its reason (no root, below the level, too few members, `WOULD_LINK`): the operator
  // links it by timing like a proof, and its entry carries what its window had seen forward, so that it bridges
  // nothing. `seen` counts, beside these scopes, every scope an earlier reservation in the window linked to them,
  // directly or through others (`CredentialHistory.linkedScopes`): whoever holds both logs joins them through that
  // proof, so its members in common and its exclusions are theirs too. The root kept is these scopes' own.
  // The nothing-new rule needs no more: a proof shown to all of these scopes together linked them already, so this
  // one joins no component and tells whoever holds any of it only what that proof told.
  const least = holder.minAnonymity ?? DEFAULT_CREDENTIAL_ANONYMITY;
  // A holder built by hand is checked too: NaN compares false with every count and would disable the check.
  if (!Number.isSafeInteger(least) || least < 1)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `minAnonymity must be an integer of at least 1, not ${least}`,
    );
  const settle = holder.rootSettleSeconds ?? CREDENTIAL_ROOT_SETTLE_SECONDS;
  if (!Number.isSafeInteger(settle) || settle < 0)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `rootSettleSeconds must be a whole number of seconds, not ${settle}`,
    );
  type Chosen = {
    root: bigint;
    among: ReadonlySet<string>;
    witness: NonNullable<ReturnType<CredentialHolder['witness']>>;
  };
  const scopes =
    audience.origin === undefined ? [audience.provider] : [audience.provider, originScope(audience.origin)];
  const { root, witness } = await holder.history.reserve<Chosen>(scopes, requirement.epoch, (seen) => {
    // The root is picked by what every replica holds alike, never by the provider's order nor by what only
    // this replica holds: the newest snapshot old enough to have reached every replica that syncs.
    const settled = requirement.roots
      .map((candidate) => ({ candidate, asOf: holder.asOf(candidate) }))
      .filter(({ asOf }) => asOf !== undefined && asOf <= nowSeconds - settle)
      .sort((a, b) => (b.asOf as number) - (a.asOf as number) || (a.candidate < b.candidate ? -1 : 1));
    const root = requirement.roots.find((candidate) => seen?.roots.has(candidate)) ?? settled[0]?.candidate;
    // Left unpaid, it rules out nobody (the payer's score is not in question).
    const unpaid = (refused: AgoraError) => ({ refused, excluded: new Set<string>(), minAnonymity: least });
    if (root === undefined)
      return unpaid(
        new AgoraError(
          ErrorCode.InvalidProof,
          `this payer knows no reputation snapshot the provider accepts taken at least ${settle} s ago`,
        ),
      );
    // A root this node (or origin) was shown before may be one this holder (rebuilt for newer snapshots) no longer knows.
    const reaching = holder.reaching(root, level) ?? new Set<string>();
    const witness = holder.witness(root);
    // The operator sees a refusal (a challenge never paid) and reads it as "below this level": recorded, the members
    // reaching it in this root are ruled out of every later proof at this node, which then hides the payer only
    // among those between the levels proved and refused.
    if (witness === undefined || ((witness.weight >> BigInt(level)) & 1n) === 0n)
      return {
        refused: new AgoraError(
          ErrorCode.InvalidProof,
          witness === undefined
            ? 'this payer has no leaf in the newest reputation snapshot the provider accepts'
            : `this payer's reputation is below the ${requirement.threshold} ppb the provider requires`,
        ),
        excluded: reaching,
        minAnonymity: least,
      };
    const linked = seen?.among ?? reaching;
    const among = new Set(
      [...linked].filter((agent) => reaching.has(agent) && !(seen?.excluded.has(agent) ?? false)),
    );
    // Fewer than `minAnonymity` left in common may have leaked already (a refusal cannot be withheld, an exclusion
    // relayed under the node key is counted as the node's): such a set is carried on, never narrowed further. A
    // proof at a level reaching every member of a level that one earlier proof, shown to all of these scopes together
    // (its reservation named them all; sent and answered), was made at, in this root, in the window, tells nothing
    // new and is made: that proof linked these scopes to each other already, and each of them (so whoever links any)
    // holds the payer among those members. Otherwise a payer so narrowed would be refused at the node for as long as
    // it kept using it (the excluded lockout). Levels each scope was shown apart do not count: the proof would join
    // their windows, each narrowed on its own (the nothing-new scope link).
    if (among.size < least && reaching.size >= least) {
      const told = seen?.proved?.get(root) ?? [];
      for (const at of told) {
        const before = holder.reaching(root, at);
        if (before !== undefined && [...before].every((agent) => reaching.has(agent)))
          return { root, among, witness };
      }
    }
    if (among.size < least)
      return unpaid(
        seen === undefined
          ? new AgoraError(
              ErrorCode.InvalidProof,
              `only ${among.size} snapshot members reach ${requirement.threshold} ppb, fewer than the ${least} this payer hides among`,
            )
          : new AgoraError(
              ErrorCode.WouldLink,
              `this provider (its node key or its origin${seen.linked === undefined ? '' : `, or the scopes an earlier proof linked to them: ${seen.linked.map((scope) => scope.replace(/^origin:/, '')).join(', ')}`}) has seen this payer's pseudonyms or refusals in the last ${CREDENTIAL_LINK_EPOCHS} epochs: with this proof (${requirement.threshold} ppb, another snapshot, level or day), only ${among.size} members would be common to all, fewer than the ${least} this payer hides among`,
            ),
      );
    return { root, among, witness };
  });
  const statement = credentialStatement({ ...audience, epoch: requirement.epoch }, identifier, level, root);
  const proved = await holder.prover.prove(statement, {
    secret: holder.secret,
    weight: witness.weight,
    path: witness.path,
    piece: 0n,
  });
  return { root, nullifier: proved.nullifier, proof: proved.proof };
}
