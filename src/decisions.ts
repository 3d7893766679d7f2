import { decisionAnchors, disputeAnchors, publicationTimes } from './anchor/index.js';
import { disputeLosses } from './disputes/index.js';
import { GovernedState } from './governance/index.js';
import type { Ledger } from './ledger/index.js';

/**
 * What the community decided, in effect at `now`: the one entry point the CLI, the simulator and providers read
 * decisions through. It gathers from the ledger what governance takes as input (the anchoring layer's earliest
 * verified anchor of each result, the disputes layer's final outcomes, a default loss counted only with its opening
 * anchored in time, the publication times the network's witnesses show) and returns {@link GovernedState.fromLedger}
 * of them: a succeeded proposal takes effect only once anchored in a block whose time bounds its own times (the
 * network's `DecisionTimeBounds`), and the standing rules count the disputes providers lost. A `GovernedState` is a
 * `BlacklistLookup` for the L402 provider's `agora_blacklist` caveat.
 *
 * @example
 * const provider = new L402Provider({ ..., policy: { blacklist: true }, blacklist: await governedState(ledger, now) });
 */
export async function governedState(
  ledger: Ledger,
  now: number,
  options: { carryOutDisputed?: boolean } = {},
): Promise<GovernedState> {
  const publication = await publicationTimes(ledger, now);
  return GovernedState.fromLedger(ledger, now, {
    ...options,
    anchors: await decisionAnchors(ledger, now, { publication }),
    losses: await disputeLosses(ledger, now, { anchors: await disputeAnchors(ledger, now), publication }),
    publication,
  });
}
