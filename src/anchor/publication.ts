import { networkWitnesses, witnessQuorum } from '../core/index.js';
import type { DecisionAnchor, Publication } from '../governance/index.js';
import type { Ledger } from '../ledger/index.js';
import { type BestChain, ledgerBestChain } from './best-chain.js';
import { decisionAnchorOf } from './decision-anchors.js';
import { subjectAnchors } from './proposal-anchor.js';
import { type WitnessBatchBody, witnessBatchCommitment } from './witness-batch.js';

const earliest = (a: DecisionAnchor, b: DecisionAnchor) =>
  a.blockTime - b.blockTime ||
  a.height - b.height ||
  (a.confirmation < b.confirmation ? -1 : a.confirmation > b.confirmation ? 1 : 0);

/**
 * The publication rule: when each event was shown, by the network's witnesses (`NetworkConfig.witnesses`, default
 * its custodians and seeds). A `witness.batch` signed by a configured witness lists event ids; its anchor (an
 * `anchor.committed` of the root of those ids, confirmed on the heaviest verified chain with the network's
 * confirmations, as every anchor) dates the list, never before the batch's own `created` (the later of the two: a
 * block mined before the batch was signed does not date it). An event's publication is, per witness, the earliest
 * such time of a batch listing it, and over distinct witnesses the `witnessQuorum`-th earliest (default the first:
 * one honest witness suffices to show an event; a colluding one can vouch for an event it kept hidden, none can forge
 * or alter one). A witness's batches never date the events it signed itself while q other witnesses exist: those count
 * only as other witnesses list them.
 * A function of the ledger's events and `now`, not of their order.
 *
 * Without witnesses (no custodian, seed or witness configured) publication is unknown (`witnessed: false`): a
 * development network, where verdicts keep the anchor rule alone and no dispute is lost by default. On `bitcoin` that
 * is no default: nothing is published there until the configuration names witnesses.
 */
export async function publicationTimes(
  ledger: Ledger,
  now: number,
  options: { bestChain?: BestChain } = {},
): Promise<Publication> {
  const config = ledger.registry.network;
  const network = config?.chain ?? 'bitcoin';
  const witnesses = new Set(networkWitnesses(config));
  if (witnesses.size === 0) return { witnessed: network === 'bitcoin', at: () => undefined };
  const quorum = witnessQuorum(config);
  const bestChain = options.bestChain ?? (await ledgerBestChain(ledger, now));
  // Per event, per witness: the earliest anchor of one of that witness's batches listing it.
  const shown = new Map<string, Map<string, DecisionAnchor>>();
  for await (const { id, event } of ledger.events({ type: 'witness.batch' })) {
    const witness = event.author as string;
    // Checked on ingest against the configuration of the day; a ledger configured since counts its own witnesses.
    if (!witnesses.has(witness)) continue;
    const body = event.body as unknown as WitnessBatchBody;
    const commitment = witnessBatchCommitment(body);
    const found = await subjectAnchors(ledger, id, commitment, network, now, bestChain);
    const confirmed = decisionAnchorOf({ commitment, ...found, state: 'anchored' });
    if (confirmed === undefined) continue;
    // The commitment is the root of the ids alone, which anyone can compute before the batch exists: a transaction
    // mined earlier (the list predicted, the batch not yet signed) would date it. The batch lists what its witness held
    // when it signed, so it dates nothing before its own `created`: the later of the two times counts.
    const anchor = { ...confirmed, blockTime: Math.max(confirmed.blockTime, event.created) };
    for (const listed of body.ids) {
      const byWitness = shown.get(listed) ?? new Map<string, DecisionAnchor>();
      const known = byWitness.get(witness);
      if (known === undefined || earliest(anchor, known) < 0) byWitness.set(witness, anchor);
      shown.set(listed, byWitness);
    }
  }
  const times = new Map<string, DecisionAnchor>();
  const quorumOf = (byWitness: ReadonlyMap<string, DecisionAnchor>) =>
    [...byWitness.values()].sort(earliest)[quorum - 1];
  for (const [listed, byWitness] of shown) {
    // A witness's listing does not date its own events: under the default witnesses a custodian opening a dispute
    // would otherwise vouch, alone, for an opening it kept hidden. Its own events need q other witnesses' listings;
    // where fewer than q others exist (q = every witness, or a sole witness trusted with every event anyway), its
    // own listing counts with all the others'.
    const author = (await ledger.get(listed))?.event.author;
    if (author !== undefined && witnesses.has(author) && witnesses.size - 1 >= quorum)
      byWitness.delete(author);
    const time = quorumOf(byWitness);
    if (time !== undefined) times.set(listed, time);
  }
  return {
    witnessed: true,
    at: (id) => times.get(id),
    // Anonymous pieces (a juror's vote, its one-time key's reveal) name no author: the reader names the witnesses
    // that must not date them alone (the panel), who count only where fewer than q others exist.
    without: (barred) => {
      const others = [...witnesses].filter((witness) => !barred.has(witness)).length;
      if (others < quorum) return (id) => times.get(id);
      return (id) => {
        const byWitness = shown.get(id);
        if (byWitness === undefined) return undefined;
        return quorumOf(new Map([...byWitness].filter(([witness]) => !barred.has(witness))));
      };
    },
  };
}
