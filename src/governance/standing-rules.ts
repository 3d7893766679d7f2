import { AgoraError, ErrorCode, hasExactKeys, isDecimal, isJsonObject } from '../core/index.js';

/**
 * A standing rule: algorithmic governance from a small closed vocabulary, installed or removed by a proposal's action
 * and evaluated by every replica from the ledger alone (see `GovernedState`).
 * - `blacklist-dispute-losers`: an agent that lost at least `losses` disputes as a provider within the last `days`
 *   days is blacklisted, without a proposal naming it;
 * - `min-reputation`: the least reputation score an L402 gate asks of payers (`agora_min_reputation`);
 * - `min-proposer-stake`: the least sats a proposer must have locked at its snapshot's moment for its proposal to be
 *   carried out.
 */
export type StandingRule =
  | { readonly kind: 'blacklist-dispute-losers'; readonly losses: number; readonly days: number }
  | { readonly kind: 'min-reputation'; readonly score: number }
  | { readonly kind: 'min-proposer-stake'; readonly sat: string };

/** The name of a standing rule's kind, from the closed vocabulary. */
export type StandingRuleKind = StandingRule['kind'];

/** Every kind of standing rule a proposal may install, in a fixed order. */
export const STANDING_RULE_KINDS: readonly StandingRuleKind[] = [
  'blacklist-dispute-losers',
  'min-reputation',
  'min-proposer-stake',
];

/** A provider's lost dispute, as the rules read it: who lost, when the outcome became final. */
export interface DisputeLoss {
  readonly agent: string;
  readonly dispute: string;
  /** Unix seconds. */
  readonly at: number;
}

/** What the rules are evaluated against, all derived from the ledger. */
export interface RuleFacts {
  /** Lost disputes of providers, final at or before the evaluation time. */
  readonly losses?: readonly DisputeLoss[];
  /** Each closed proposal's proposer stake at its snapshot's moment, sats. */
  readonly proposerStake?: ReadonlyMap<string, bigint>;
}

const isCount = (value: unknown, max: number) =>
  Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= max;

/** Checks a rule from a proposal's action; `fail` throws. */
export function checkStandingRule(
  rule: unknown,
  fail: (message: string) => never,
): asserts rule is StandingRule {
  if (!isJsonObject(rule)) fail('a rule is an object');
  if (rule.kind === 'blacklist-dispute-losers') {
    if (
      !hasExactKeys(rule, ['kind', 'losses', 'days']) ||
      !isCount(rule.losses, 1_000) ||
      !isCount(rule.days, 3_650)
    )
      fail('blacklist-dispute-losers has losses (1 to 1000) and days (1 to 3650)');
    return;
  }
  if (rule.kind === 'min-reputation') {
    if (
      !hasExactKeys(rule, ['kind', 'score']) ||
      !Number.isSafeInteger(rule.score) ||
      (rule.score as number) < 0
    )
      fail('min-reputation has a score, a non-negative integer');
    return;
  }
  if (rule.kind === 'min-proposer-stake') {
    if (!hasExactKeys(rule, ['kind', 'sat']) || !isDecimal(rule.sat))
      fail('min-proposer-stake has sat, decimal');
    return;
  }
  fail(`unknown rule ${JSON.stringify(rule.kind ?? null)}; rules are ${STANDING_RULE_KINDS.join(', ')}`);
}

/** The agents a `blacklist-dispute-losers` rule blacklists at `now`: losses within `(now - days, now]`, counted. */
export function disputeLosers(
  rule: Extract<StandingRule, { kind: 'blacklist-dispute-losers' }>,
  losses: readonly DisputeLoss[],
  now: number,
): string[] {
  const since = now - rule.days * 86_400;
  const counts = new Map<string, Set<string>>();
  for (const loss of losses) {
    if (loss.at > now || loss.at <= since) continue;
    const disputes = counts.get(loss.agent) ?? new Set<string>();
    disputes.add(loss.dispute);
    counts.set(loss.agent, disputes);
  }
  return [...counts]
    .filter(([, disputes]) => disputes.size >= rule.losses)
    .map(([agent]) => agent)
    .sort();
}

/** `INVALID_ARGUMENT` unless `kind` is one of the vocabulary's. */
export function checkRuleKind(kind: unknown): StandingRuleKind {
  if (!STANDING_RULE_KINDS.includes(kind as StandingRuleKind))
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `unknown rule ${String(kind)}; rules are ${STANDING_RULE_KINDS.join(', ')}`,
    );
  return kind as StandingRuleKind;
}
