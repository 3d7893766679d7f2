// The measurements behind docs/anonymous-votes.md: for a snapshot, what each way of revealing voting weight costs
// (weight lost, proofs per voter) and what it leaves an observer (the smallest anonymity set), if every member votes.
// Usage: npx tsx scripts/anonymity-study.ts [--pareto N] [--demo FILE]   (FILE: `agora simulate --json` output)
import { readFileSync } from 'node:fs';
import {
  anonymitySets,
  candidatesByWeight,
  choosePieceRule,
  DEFAULT_MIN_ANONYMITY,
  exactReveal,
  type MemberWeight,
  type PieceRule,
  pieceReveal,
  requiredAnonymity,
  ruleCost,
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

function study(name: string, members: readonly MemberWeight[]): void {
  const k = requiredAnonymity(DEFAULT_MIN_ANONYMITY, members.length);
  const rule = choosePieceRule(members, k);
  const rows = [
    exact(members, k),
    ladder(members, k),
    pieces(members, k, { top: rule.top, floor: 0 }, 'pieces, no rounding'),
    pieces(members, k, rule, 'pieces, shipped rule'),
  ];
  process.stdout.write(`${JSON.stringify({ snapshot: name, members: members.length, k, rule })}\n`);
  for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
}

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
study('pareto-1.2', pareto(Number(flag('--pareto') ?? 1000), 1.2, 'agora402 anonymity study'));
const demo = flag('--demo');
if (demo !== undefined) {
  const result = JSON.parse(readFileSync(demo, 'utf8')) as {
    governance: { proposals: { weightMode: string; memberWeights: string[] }[] };
  };
  for (const proposal of result.governance.proposals)
    study(
      `demo-${proposal.weightMode}`,
      proposal.memberWeights.map((weight, i) => ({ agent: `d${i}`, weight: BigInt(weight) })),
    );
}
