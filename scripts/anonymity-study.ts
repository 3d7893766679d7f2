// The measurements behind docs/anonymous-votes.md: for a snapshot, what each way of revealing voting weight costs
// (weight lost, proofs per voter) and what it leaves an observer (the smallest anonymity set), if every member votes;
// where the shipped rule's lost weight goes (denominations too rare for k, rounding below the floor, the 4,096-piece
// cap), what the circuit allows at all (every top, floor 0), and two levers beyond the plain binary rule: a public
// weight scale (no circuit change; shipped for reputation snapshots as `chooseWeightScale`, searched wider here) and a
// public ladder of arbitrary denominations (a new circuit, measured only).
// Usage: npx tsx scripts/anonymity-study.ts [--pareto N] [--demo FILE]   (FILE: `agora simulate --json` output)
import { readFileSync } from 'node:fs';
import {
  anonymitySets,
  candidatesByWeight,
  choosePieceRule,
  DEFAULT_MIN_ANONYMITY,
  exactReveal,
  MAX_EXPONENT,
  MAX_PIECES,
  type MemberWeight,
  type PieceRule,
  pieceReveal,
  proposalWeightScale,
  requiredAnonymity,
  ruleCost,
  scaleMembers,
  UNIT_SCALE,
} from '../src/governance/index.js';
import { SeededRandom } from '../src/sim/index.js';

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const share = (part: bigint, whole: bigint) =>
  Number((part * 1_000_000n) / (whole === 0n ? 1n : whole)) / 10_000;

/** Pareto weights: x_min / U^(1/shape), seeded. */
function pareto(n: number, shape: number, seed: string): MemberWeight[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    agent: `m${String(i).padStart(5, '0')}`,
    weight: BigInt(Math.floor(1_000_000 / (1 - random.next()) ** (1 / shape))),
  }));
}

/** Today's default: one vote revealing the whole weight. */
function exact(members: readonly MemberWeight[], k: number) {
  const sets = anonymitySets(
    members,
    members.map((m) => ({ id: m.agent, votingWeight: m.weight })),
    exactReveal,
  ).map((set) => set.candidates.length);
  return {
    option: 'exact weight (before)',
    lostPct: 0,
    proofsMedian: 1,
    proofsP99: 1,
    minSet: Math.min(...sets),
    votesBelowK: sets.filter((size) => size < k).length,
  };
}

/**
 * A public ladder: members sorted by weight and cut into runs of at least k; each reveals its run's lowest weight (one
 * proof of `votingWeight <= weight`). Every rung hides among its run, and the heavy tail loses most.
 */
function ladder(members: readonly MemberWeight[], k: number) {
  const sorted = [...members].sort((a, b) => (a.weight < b.weight ? -1 : a.weight > b.weight ? 1 : 0));
  let lost = 0n;
  let total = 0n;
  let minSet = Number.POSITIVE_INFINITY;
  for (let at = 0; at < sorted.length; ) {
    const size = sorted.length - at < 2 * k ? sorted.length - at : k;
    const run = sorted.slice(at, at + size);
    const rung = (run[0] as MemberWeight).weight;
    for (const m of run) {
      lost += m.weight - rung;
      total += m.weight;
    }
    minSet = Math.min(minSet, size);
    at += size;
  }
  return {
    option: `weight ladder (runs of ${k})`,
    lostPct: share(lost, total),
    proofsMedian: 1,
    proofsP99: 1,
    minSet,
    votesBelowK: 0,
  };
}

/** Power-of-two pieces under `rule`, the rare ones left out: the shipped design. */
function pieces(members: readonly MemberWeight[], k: number, rule: PieceRule, label: string) {
  const cost = ruleCost(members, rule, k);
  const proofs = [...cost.proofs].sort((a, b) => a - b);
  // A cast piece hides among the members holding its denomination; only denominations held by k or more are cast.
  const held = [...candidatesByWeight(members, pieceReveal(rule)).values()].map((list) => list.length);
  const minSet = Math.min(...held.filter((size) => size >= k));
  return {
    option: `${label} (top 2^${rule.top}, floor 2^${rule.floor})`,
    lostPct: share(cost.total - cost.counted, cost.total),
    proofsMedian: percentile(proofs, 50),
    proofsP99: percentile(proofs, 99),
    proofsMax: proofs.at(-1),
    minSet,
    votesBelowK: 0,
  };
}

const PROOF_BUDGET = 16;
const bit = (weight: bigint, exponent: number) => ((weight >> BigInt(exponent)) & 1n) === 1n;
const heaviestFirst = (members: readonly MemberWeight[]) =>
  [...members].sort((a, b) => (b.weight > a.weight ? 1 : b.weight < a.weight ? -1 : 0));

/**
 * Where the shipped rule's lost weight goes, over the `voters` heaviest members (the simulator's voters): bits below
 * the top that fewer than k members hold (the k-rule, whatever the floor), bits k members hold but below the floor
 * (rounding), top pieces beyond the cap; the denominations and the members that lose most.
 */
function lossBreakdown(members: readonly MemberWeight[], k: number, rule: PieceRule, voters: number) {
  const holders = (exponent: number) => members.filter((m) => bit(m.weight, exponent)).length;
  const held = Array.from({ length: rule.top }, (_, e) => holders(e));
  const topReach = members.filter((m) => m.weight >> BigInt(rule.top) > 0n).length;
  let voted = 0n;
  let rare = 0n;
  let rounding = 0n;
  let capped = 0n;
  const byDenomination = new Map<number, bigint>();
  const losers: { weight: bigint; lost: bigint }[] = [];
  for (const { weight } of heaviestFirst(members).slice(0, voters)) {
    voted += weight;
    let lost = 0n;
    const tops = weight >> BigInt(rule.top);
    if (topReach < k) {
      rare += tops << BigInt(rule.top);
      lost += tops << BigInt(rule.top);
    } else if (tops > MAX_PIECES) {
      capped += (tops - MAX_PIECES) << BigInt(rule.top);
      lost += (tops - MAX_PIECES) << BigInt(rule.top);
    }
    for (let e = rule.top - 1; e >= 0; e--) {
      if (!bit(weight, e)) continue;
      const denomination = 1n << BigInt(e);
      if ((held[e] as number) < k) {
        rare += denomination;
        byDenomination.set(e, (byDenomination.get(e) ?? 0n) + denomination);
      } else if (e < rule.floor) rounding += denomination;
      else continue;
      lost += denomination;
    }
    losers.push({ weight, lost });
  }
  return {
    voters: Math.min(voters, members.length),
    countedPct: share(voted - rare - rounding - capped, voted),
    lostToKRulePct: share(rare, voted),
    lostToFloorPct: share(rounding, voted),
    lostToCapPct: share(capped, voted),
    rareDenominations: [...byDenomination]
      .sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0))
      .slice(0, 6)
      .map(([e, lost]) => ({ denomination: `2^${e}`, holders: held[e], lostPct: share(lost, voted) })),
    losers: losers
      .sort((a, b) => (b.lost > a.lost ? 1 : b.lost < a.lost ? -1 : 0))
      .slice(0, 4)
      .map(({ weight, lost }) => ({
        weight: String(weight),
        lostOfOwnPct: share(lost, weight),
        lostOfVotedPct: share(lost, voted),
      })),
  };
}

/** Counted share and proofs (median / p99 / max) of cutting each member's weight by a greedy public split `split`. */
function splitCost(
  members: readonly MemberWeight[],
  split: (weight: bigint) => { counted: bigint; proofs: number },
) {
  let counted = 0n;
  let total = 0n;
  const proofs: number[] = [];
  for (const { weight } of members) {
    const cost = split(weight);
    counted += cost.counted;
    total += weight;
    proofs.push(cost.proofs);
  }
  proofs.sort((a, b) => a - b);
  return {
    countedPct: share(counted, total),
    proofs: `${percentile(proofs, 50)} / ${percentile(proofs, 99)} / ${proofs.at(-1)}`,
    p99: percentile(proofs, 99),
  };
}

/** Binary pieces under `top`, floor 0, counting the bits k members hold: what the circuit can count at all. */
function binaryCost(members: readonly MemberWeight[], k: number, top: number) {
  const held = Array.from({ length: top }, (_, e) => members.filter((m) => bit(m.weight, e)).length);
  const reach = members.filter((m) => m.weight >> BigInt(top) > 0n).length;
  return splitCost(members, (weight) => {
    const tops = reach >= k ? weight >> BigInt(top) : 0n;
    let counted = tops << BigInt(top);
    let proofs = Number(tops);
    for (let e = top - 1; e >= 0; e--)
      if (bit(weight, e) && (held[e] as number) >= k) {
        counted += 1n << BigInt(e);
        proofs++;
      }
    return { counted, proofs };
  });
}

/** The circuit's frontier: every top from the rule's down, floor 0 (the most each top can count). */
function frontier(members: readonly MemberWeight[], k: number, rule: PieceRule) {
  return Array.from({ length: Math.min(6, rule.top + 1) }, (_, i) => ({
    top: rule.top - i,
    ...binaryCost(members, k, rule.top - i),
  }));
}

/**
 * Lever 1, no circuit change: the snapshot commits `weight * m / 2^16` for a public m in [2^16, 2^17) on a grid of
 * `steps`, chosen with the top to count the most within the proof budget (weights stay proportional; every
 * denomination becomes 2^e / (m / 2^16) of the original unit). Counted share in scaled units.
 */
function scaleLever(members: readonly MemberWeight[], k: number, steps: number) {
  let best: { scale: number; top: number; floor: number; countedPct: number; proofs: string } | undefined;
  for (let i = 0; i < steps; i++) {
    const m = 65_536n + BigInt(Math.floor((i * 65_536) / steps));
    const scaled = members.map((member) => ({ ...member, weight: (member.weight * m) >> 16n }));
    const consider = (
      top: number,
      floor: number,
      cost: { countedPct: number; proofs: string; p99: number },
    ) => {
      if (cost.p99 <= PROOF_BUDGET && (best === undefined || cost.countedPct > best.countedPct))
        best = { scale: Number(m) / 65_536, top, floor, countedPct: cost.countedPct, proofs: cost.proofs };
    };
    // The shipped rule on the scaled weights (its floor keeps the proofs down), and every top at floor 0.
    const rule = choosePieceRule(scaled, k);
    const shipped = ruleCost(scaled, rule, k);
    const proofs = [...shipped.proofs].sort((a, b) => a - b);
    consider(rule.top, rule.floor, {
      countedPct: share(shipped.counted, shipped.total),
      proofs: `${percentile(proofs, 50)} / ${percentile(proofs, 99)} / ${proofs.at(-1)}`,
      p99: percentile(proofs, 99),
    });
    for (let top = 0; top <= MAX_EXPONENT; top++) consider(top, 0, binaryCost(scaled, k, top));
  }
  return best;
}

/**
 * Lever 2, a new circuit: a public ladder d_1 > d_2 > d_3 of any integers, each weight split greedily (c_i = r / d_i
 * pieces of d_i, r the remainder the levels above leave), one piece (level, index) and one nullifier per piece, a level
 * cast only when k members hold a piece of it. Chosen by a small recomputable search: a level's value is a remainder
 * the levels above leave (any member's on up to 32 members, two levels; the k-th largest beyond, three levels) divided
 * by j = 1..16; the ladder counting the most within the proof budget.
 */
function ladderLever(members: readonly MemberWeight[], k: number) {
  const splitBy = (ladder: readonly bigint[]) => (weight: bigint) => {
    let rest = weight;
    let proofs = 0;
    for (const d of ladder) {
      proofs += Number(rest / d);
      rest %= d;
    }
    return { counted: weight - rest, proofs };
  };
  let best: { ladder: bigint[]; countedPct: number; proofs: string } | undefined;
  const search = (ladder: bigint[], rests: bigint[]) => {
    const cost = splitCost(members, splitBy(ladder));
    if (cost.p99 > PROOF_BUDGET) return;
    if (best === undefined || cost.countedPct > best.countedPct)
      best = { ladder, countedPct: cost.countedPct, proofs: cost.proofs };
    if (ladder.length === depth) return;
    const sorted = [...rests].sort((a, b) => (b > a ? 1 : b < a ? -1 : 0));
    const bases = wide ? [...new Set(sorted)] : [sorted[k - 1] ?? 0n];
    const values = new Set<bigint>();
    for (const base of bases) for (let j = 1n; j <= 16n && base / j > 0n; j++) values.add(base / j);
    // A level fewer than k members hold a piece of would not be cast: the chooser never publishes one.
    for (const d of values)
      if (
        (ladder.length === 0 || d < (ladder.at(-1) as bigint)) &&
        rests.filter((rest) => rest >= d).length >= k
      )
        search(
          [...ladder, d],
          rests.map((rest) => rest % d),
        );
  };
  // Small snapshots: any member's remainder divided by j, two levels; large ones: the k-th largest only, three.
  const wide = members.length <= 32;
  const depth = wide ? 2 : 3;
  search(
    [],
    members.map((m) => m.weight),
  );
  return best && { ladder: best.ladder.map(String), countedPct: best.countedPct, proofs: best.proofs };
}

function study(name: string, mode: string, members: readonly MemberWeight[], voters = members.length): void {
  const k = requiredAnonymity(DEFAULT_MIN_ANONYMITY, members.length);
  const rule = choosePieceRule(members, k);
  // The shipped rule: the weight scale a snapshot of this mode takes (reputation only), then the piece rule on it.
  const scale = proposalWeightScale(mode, members);
  const scaled = scaleMembers(members, scale);
  const scaledRule = choosePieceRule(scaled, k);
  const rows = [
    exact(members, k),
    ladder(members, k),
    pieces(members, k, { top: rule.top, floor: 0 }, 'pieces, no rounding'),
    pieces(members, k, rule, 'pieces, plain rule (unit scale)'),
    pieces(scaled, k, scaledRule, `pieces, shipped rule (scale ${scale}/${UNIT_SCALE})`),
  ];
  const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  out({ snapshot: name, members: members.length, k, rule, scale, scaledRule });
  for (const row of rows) out(row);
  out({ lossOfPlainRule: lossBreakdown(members, k, rule, voters) });
  out({ lossOfShippedRule: lossBreakdown(scaled, k, scaledRule, voters) });
  for (const row of frontier(members, k, rule)) out({ circuitFrontier: row });
  out({ scaleLever: scaleLever(members, k, members.length > 100 ? 16 : 64) });
  out({ ladderLever: ladderLever(members, k) });
}

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
// Pareto weights stand for a reputation snapshot's heavy tail.
study('pareto-1.2', 'reputation', pareto(Number(flag('--pareto') ?? 1000), 1.2, 'agora402 anonymity study'));
const demo = flag('--demo');
if (demo !== undefined) {
  const result = JSON.parse(readFileSync(demo, 'utf8')) as {
    governance: { proposals: { weightMode: string; memberWeights: string[]; voters: number }[] };
  };
  // The simulator's voters are the heaviest members (`votersOf`); memberWeights are listed heaviest first.
  for (const proposal of result.governance.proposals)
    study(
      `demo-${proposal.weightMode}`,
      proposal.weightMode,
      proposal.memberWeights.map((weight, i) => ({ agent: `d${i}`, weight: BigInt(weight) })),
      proposal.voters,
    );
}
