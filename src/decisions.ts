import {
  decisionAnchors,
  disputeAnchors,
  ledgerBestChain,
  publicationTimes,
  seedBlocks,
  settledChainTime,
} from './anchor/index.js';
import { disputeLosses, type ReadDisputeOptions } from './disputes/index.js';
import { GovernedState, type Publication } from './governance/index.js';
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
  const disputes = await disputeTimes(ledger, now);
  const { publication } = disputes;
  return GovernedState.fromLedger(ledger, now, {
    ...options,
    anchors: await decisionAnchors(ledger, now, { publication }),
    losses: await disputeLosses(ledger, now, disputes),
    publication,
  });
}

/**
 * The times every dispute is read with at `now`, as {@link governedState} reads them: the openings' and answers'
 * earliest verified anchors, the publication times the network's witnesses show and the seed blocks of juror draws
 * (the heaviest verified chain's, once deep enough, on a ledger with a checkpoint), and that chain's settled median
 * time, before which no deadline measured in block times is past. Every reader of a dispute (the
 * CLI's commands too) takes them from here, so no reader can count a default loss, a late event or a fork's draw the
 * others refuse.
 */
export async function disputeTimes(
  ledger: Ledger,
  now: number,
): Promise<ReadDisputeOptions & { readonly publication: Publication }> {
  const bestChain = await ledgerBestChain(ledger, now);
  const chain = bestChain === undefined ? {} : { bestChain };
  const seeds = await seedBlocks(ledger, now, chain);
  const settledTime = await settledChainTime(ledger, now, chain);
  return {
    anchors: await disputeAnchors(ledger, now),
    publication: await publicationTimes(ledger, now, chain),
    ...(seeds === undefined ? {} : { seedBlocks: seeds }),
    ...(settledTime === undefined ? {} : { settledTime }),
  };
}
