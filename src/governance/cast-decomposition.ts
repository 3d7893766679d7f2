/** A snapshot member and the denominations its whole cast reveals under the client rule (one entry per piece). */
export interface MemberCast {
  readonly agent: string;
  readonly cast: readonly bigint[];
}

/** Search steps {@link decomposeGroup} spends on one group by default (nodes of the exact-cover search). */
export const DECOMPOSITION_BUDGET = 50_000;

/** Of the budget, the steps spent enumerating every decomposition before turning to targeted searches. */
const ENUMERATION_SHARE = 0.2;

/** How an observer can write a group of linked pieces as whole casts of distinct members. */
export interface GroupDecomposition {
  /**
   * Whether the search finished: every decomposition was enumerated. When not, the figures below are what the
   * decompositions found prove, read conservatively (see {@link decomposeGroup}).
   */
  readonly resolved: boolean;
  /**
   * Ways to write the group as the whole casts of distinct members (members with the same cast told apart: choosing
   * c of m of them counts C(m, c) ways; a float beyond 2^53). Absent when not resolved.
   */
  readonly decompositions?: number;
  /**
   * Members present in every decomposition: the observer names them as voters of the group. Not resolved: the members
   * every decomposition found holds and no search could leave out (they may be named: counted as named).
   */
  readonly named: readonly string[];
  /** Members present in at least one decomposition (found, when not resolved: a lower bound). */
  readonly candidates: number;
  /**
   * The group's anonymity: the fewest members who could be the voter of any one piece of it, that is for each of its
   * denominations the members who cast that denomination in some decomposition; 1 when a member is named (or may be,
   * not resolved; or when no decomposition was found before the budget ran out). Absent when the group has no
   * decomposition at all: no voter following the whole-cast rule made it, so the link names nobody by this reasoning.
   */
  readonly anonymity?: number;
  /** Search steps spent. */
  readonly steps: number;
}

/** What {@link decomposeGroup} may spend, and when a set is large enough to stop refining it. */
export interface DecompositionOptions {
  /** Search steps for the group (default {@link DECOMPOSITION_BUDGET}). */
  readonly budget?: number;
  /**
   * Once the enumeration runs out of budget, a denomination's candidate set is not refined past this many members
   * (the caller's threshold: a set this large changes nothing it reports). Default: refine to the end of the budget.
   */
  readonly enough?: number;
}

/** Members with one and the same cast, as one class of the search. */
interface CastClass {
  readonly members: readonly string[];
  /** Pieces per dimension of the group. */
  readonly vector: readonly number[];
  /** Dimensions with one piece or more, as bits. */
  readonly mask: number;
  /** Dimensions with more than one piece (the top denomination's pieces). */
  readonly heavy: readonly number[];
  /** Dimensions with exactly one piece. */
  readonly ones: readonly number[];
}

const binomial = (n: number, k: number): number => {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
};

/** Steps of a targeted search's first attempt; each restart doubles it. */
const RESTART_STEPS = 64;

/** Most steps one targeted search spends, restarts included: a hard one does not starve the others. */
const TARGETED_STEPS = 4_096;

/** A deterministic generator for the restarts' orders (mulberry32): the report is a function of its inputs. */
const seededRandom = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
};

/** Signals that a search spent its steps. */
class OutOfSteps extends Error {}

/**
 * The observer's exact cover: every way to write `group` (a multiset of denominations, the counted pieces carrying one
 * ballot) as the union of the whole casts of distinct members, under the client rule that gave `casts`. A member named
 * in every decomposition is a voter of that ballot, whatever each piece's own anonymity set.
 *
 * Members with identical casts form one class with a multiplicity, so the search runs over distinct casts and chooses
 * how many of each class (an exact cover over a multiset, as a bounded integer program): at each step the denomination
 * the fewest classes can still supply is covered by the first class (in a fixed order) given a count, earlier ones
 * excluded, so each class-level decomposition is met once; a step whose remaining classes cannot supply what is left
 * is cut. First, a fifth of the budget enumerates every decomposition (exact figures when it finishes: the small,
 * constrained groups that name voters). When it does not (a large group: decompositions then number in the billions),
 * targeted searches read it conservatively: for each class every decomposition found so far uses in full, one search
 * for a decomposition leaving one of its members out (none exists: named; the budget runs out first: counted as named),
 * and, for each denomination whose candidate set is below `enough`, searches forcing in a class that holds it. What is
 * reported is then proved by decompositions actually found, never assumed: an unresolved group is never counted safer
 * than its witnesses show.
 */
export function decomposeGroup(
  casts: readonly MemberCast[],
  group: readonly bigint[],
  options: DecompositionOptions = {},
): GroupDecomposition {
  const budget = options.budget ?? DECOMPOSITION_BUDGET;
  const enough = options.enough ?? Number.POSITIVE_INFINITY;
  const dims = [...new Set(group)].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  const dimOf = new Map(dims.map((d, j) => [d, j]));
  const target = dims.map((d) => group.filter((e) => e === d).length);
  // Classes: members with one cast, in the order their first member appears; a cast that cannot fit is left out.
  const byKey = new Map<string, { vector: number[]; members: string[] }>();
  for (const { agent, cast } of casts) {
    if (cast.length === 0) continue;
    const vector = dims.map(() => 0);
    let fits = true;
    for (const d of cast) {
      const j = dimOf.get(d);
      if (j === undefined) {
        fits = false;
        break;
      }
      vector[j] = (vector[j] as number) + 1;
    }
    if (!fits || vector.some((n, j) => n > (target[j] as number))) continue;
    const key = vector.join(',');
    const entry = byKey.get(key) ?? { vector, members: [] };
    entry.members.push(agent);
    byKey.set(key, entry);
  }
  const classes: CastClass[] = [...byKey.values()].map(({ vector, members }) => ({
    members,
    vector,
    mask: vector.reduce((mask, n, j) => (n > 0 ? mask | (1 << j) : mask), 0),
    heavy: vector.flatMap((n, j) => (n > 1 ? [j] : [])),
    ones: vector.flatMap((n, j) => (n === 1 ? [j] : [])),
  }));
  const size = classes.map((c) => c.members.length);
  const holding = dims.map((_, j) => classes.flatMap((c, i) => ((c.vector[j] as number) > 0 ? [i] : [])));

  // What the decompositions found show: the greatest count each class takes in one, and the classes every one takes
  // in full (undefined before the first).
  const most = classes.map(() => 0);
  let full: Set<number> | undefined;
  const record = (used: readonly number[]) => {
    for (let i = 0; i < classes.length; i++)
      if ((used[i] as number) > (most[i] as number)) most[i] = used[i] as number;
    const inFull = (i: number) => used[i] === size[i];
    if (full === undefined) full = new Set(classes.map((_, i) => i).filter(inFull));
    else for (const i of full) if (!inFull(i)) full.delete(i);
  };

  let steps = 0;
  /**
   * Depth-first search from `need` with `cap` (members of each class still free) and `used`, calling `found` for each
   * decomposition (it returns false to stop). Throws {@link OutOfSteps} when `limit` steps are spent.
   */
  const search = (
    need: number[],
    cap: number[],
    used: number[],
    limit: number,
    found: (used: readonly number[]) => boolean,
    random?: () => number,
  ): boolean => {
    const banned = new Uint8Array(classes.length);
    const supply = dims.map(() => 0);
    const suppliers = dims.map(() => 0);
    const room = new Array<number>(classes.length).fill(0);
    // Copies of class i that fit in `need` (0: none, or excluded).
    const copiesFitting = (i: number, positive: number): number => {
      const c = classes[i] as CastClass;
      if (banned[i] === 1 || (cap[i] as number) === 0 || (c.mask & ~positive) !== 0) return 0;
      let copies = cap[i] as number;
      for (const j of c.heavy)
        copies = Math.min(copies, Math.floor((need[j] as number) / (c.vector[j] as number)));
      if (copies === 0) return 0;
      for (const j of c.ones) copies = Math.min(copies, need[j] as number);
      return copies;
    };
    const node = (): boolean => {
      if (++steps > limit) throw new OutOfSteps();
      let positive = 0;
      for (let j = 0; j < dims.length; j++) if ((need[j] as number) > 0) positive |= 1 << j;
      if (positive === 0) return found(used);
      supply.fill(0);
      suppliers.fill(0);
      for (let i = 0; i < classes.length; i++) {
        const copies = copiesFitting(i, positive);
        room[i] = copies;
        if (copies === 0) continue;
        const c = classes[i] as CastClass;
        for (const j of c.ones) {
          supply[j] = (supply[j] as number) + copies;
          suppliers[j] = (suppliers[j] as number) + 1;
        }
        for (const j of c.heavy) {
          supply[j] = (supply[j] as number) + copies * (c.vector[j] as number);
          suppliers[j] = (suppliers[j] as number) + 1;
        }
      }
      // The denomination the fewest classes can supply; cut if any cannot be supplied at all.
      let pick = -1;
      for (let j = 0; j < dims.length; j++) {
        if ((need[j] as number) === 0) continue;
        if ((supply[j] as number) < (need[j] as number)) return true;
        if (
          pick === -1 ||
          (need[j] as number) * (supply[pick] as number) > (need[pick] as number) * (supply[j] as number)
        )
          pick = j;
      }
      const choices = (holding[pick] as number[]).filter((i) => (room[i] as number) > 0);
      if (random !== undefined)
        for (let x = choices.length - 1; x > 0; x--) {
          const y = Math.floor(random() * (x + 1));
          [choices[x], choices[y]] = [choices[y] as number, choices[x] as number];
        }
      const copiesOf = choices.map((i) => room[i] as number);
      // Each choice in turn is the first class of the list to take a count: the ones before it take none (excluded
      // below), the ones after it are still free. Its own count is settled here, so it is excluded too.
      let go = true;
      for (let x = 0; x < choices.length && go; x++) {
        const i = choices[x] as number;
        banned[i] = 1;
        const c = classes[i] as CastClass;
        for (let t = copiesOf[x] as number; t >= 1 && go; t--) {
          for (let j = 0; j < dims.length; j++) need[j] = (need[j] as number) - t * (c.vector[j] as number);
          used[i] = (used[i] as number) + t;
          go = node();
          used[i] = (used[i] as number) - t;
          for (let j = 0; j < dims.length; j++) need[j] = (need[j] as number) + t * (c.vector[j] as number);
        }
      }
      for (const i of choices) banned[i] = 0;
      return go;
    };
    return node();
  };

  // 1. Enumerate every decomposition within a share of the budget.
  let count = 0;
  let resolved = true;
  try {
    search(
      [...target],
      [...size],
      classes.map(() => 0),
      Math.floor(budget * ENUMERATION_SHARE),
      (used) => {
        record(used);
        let ways = 1;
        for (let i = 0; i < classes.length; i++)
          if ((used[i] as number) > 0) ways *= binomial(size[i] as number, used[i] as number);
        count += ways;
        return true;
      },
    );
  } catch (cause) {
    if (!(cause instanceof OutOfSteps)) throw cause;
    resolved = false;
  }

  // 2. Not resolved: targeted searches, each for one decomposition, within what is left. A class none of them leaves
  // in part (none exists, or the budget ran out first) stays in `full`: named.
  if (!resolved) {
    const random = seededRandom(group.length * 7919 + classes.length);
    // Restarts: a depth-first search committing early to a wrong count thrashes below it, so each attempt has a
    // step limit (doubling) and, after the first, its own order of choices. Any attempt that ends proves the answer.
    const findOne = (need: number[], cap: number[], used: number[]): 'found' | 'none' | 'unknown' => {
      if (need.some((n) => n < 0)) return 'none';
      const stop = Math.min(budget, steps + TARGETED_STEPS);
      for (let attempt = 0, limit = RESTART_STEPS; steps < stop; attempt++, limit *= 2) {
        try {
          let hit = false;
          search(
            [...need],
            [...cap],
            [...used],
            Math.min(stop, steps + limit),
            (decomposition) => {
              record(decomposition);
              hit = true;
              return false;
            },
            attempt === 0 ? undefined : random,
          );
          return hit ? 'found' : 'none';
        } catch (cause) {
          if (!(cause instanceof OutOfSteps)) throw cause;
        }
      }
      return 'unknown';
    };
    if (full === undefined)
      findOne(
        [...target],
        [...size],
        classes.map(() => 0),
      );
    for (const i of [...(full ?? [])]) {
      if (!full?.has(i)) continue; // left out by a decomposition found meanwhile
      const cap = [...size];
      cap[i] = (size[i] as number) - 1;
      findOne(
        [...target],
        cap,
        classes.map(() => 0),
      );
    }
    // Then the smallest candidate set first, one class forced in at a time, until each reaches `enough`.
    const tried = new Set<number>();
    const setOf = (j: number) =>
      (holding[j] as number[]).reduce((n, i) => ((most[i] as number) > 0 ? n + (size[i] as number) : n), 0);
    const untried = (j: number) =>
      (holding[j] as number[]).find((i) => (most[i] as number) === 0 && !tried.has(i));
    while (steps < budget) {
      let j = -1;
      for (let x = 0; x < dims.length; x++)
        if (setOf(x) < enough && untried(x) !== undefined && (j === -1 || setOf(x) < setOf(j))) j = x;
      if (j === -1) break;
      {
        const i = untried(j) as number;
        tried.add(i);
        const c = classes[i] as CastClass;
        const cap = [...size];
        cap[i] = (size[i] as number) - 1;
        const used = classes.map((_, x) => (x === i ? 1 : 0));
        findOne(
          target.map((n, x) => n - (c.vector[x] as number)),
          cap,
          used,
        );
      }
    }
  }

  const found = full !== undefined;
  const named = found ? [...(full as Set<number>)].flatMap((i) => (classes[i] as CastClass).members) : [];
  const candidates = classes.reduce((n, _, i) => ((most[i] as number) > 0 ? n + (size[i] as number) : n), 0);
  const perDenomination = dims.map((_, j) =>
    (holding[j] as number[]).reduce((n, i) => ((most[i] as number) > 0 ? n + (size[i] as number) : n), 0),
  );
  let anonymity: number | undefined;
  if (!found) anonymity = resolved ? undefined : 1;
  else anonymity = named.length > 0 ? 1 : Math.min(...perDenomination);
  return {
    resolved,
    ...(resolved ? { decompositions: count } : {}),
    named: [...named].sort(),
    candidates,
    ...(anonymity === undefined ? {} : { anonymity }),
    steps,
  };
}
