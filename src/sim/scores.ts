import { Reputation } from '../reputation/index.js';
import type { SimulationState } from './state.js';

/**
 * The reputation phase, run every `reputationEvery` rounds: scores from the receipts and ratings stored so far (read
 * once from the ledger, then followed), each provider's score recorded for the agents' choices and the report.
 */
export async function rescore(state: SimulationState, round: number): Promise<void> {
  const { reputation, ledger, cast } = state;
  const current =
    reputation.current === undefined
      ? await Reputation.fromLedger(ledger, { seeds: cast.founders })
      : await reputation.current.refresh(ledger);
  reputation.current = current;
  reputation.scores = new Map(cast.providers.map((p) => [p.key.id, current.score(p.key.id)]));
  for (const p of cast.providers)
    reputation.trajectory[p.name]?.push({ round, score: current.score(p.key.id) });
}

/** A provider's score at the last computation (0 before any). */
export function scoreOf(state: SimulationState, id: string): number {
  return state.reputation.scores.get(id) ?? 0;
}
