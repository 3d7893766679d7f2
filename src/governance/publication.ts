import type { DecisionAnchor } from './decision-time.js';

/**
 * When events became public, as the anchoring layer reads it from the network's publication witnesses
 * (`publicationTimes`): an event's publication is the confirmed anchor of a witness batch listing it (with a quorum
 * of q witnesses, the q-th earliest over distinct witnesses), its block's header time the moment by which the event
 * was shown. An event's `created` is its author's claim and an anchor of the event alone proves only that it existed:
 * neither says anyone could see it.
 */
export interface Publication {
  /**
   * Whether the network names witnesses. Without any (a development network) publication is unknown: governance keeps
   * its anchor rule alone, and no dispute is lost by default.
   */
  readonly witnessed: boolean;
  /** The witness anchor by which event `id` was public, or undefined when no (quorum of) witness shows it yet. */
  at(id: string): DecisionAnchor | undefined;
  /**
   * `at` with the listings of the `barred` witnesses left out (a dispute's panel, for its rounds' anonymous pieces):
   * they date nothing alone unless fewer than q other witnesses exist (then every listing counts, as trusted).
   * Absent: `at` stands for it.
   */
  without?(barred: ReadonlySet<string>): (id: string) => DecisionAnchor | undefined;
}

/**
 * The events a verdict with this `deadline` (a block time, unix seconds) may read: those published by then. Undefined
 * (every stored event counts) when `publication` is not given or names no witness.
 */
export function publishedBy(
  publication: Publication | undefined,
  deadline: number,
): ((id: string) => boolean) | undefined {
  if (publication?.witnessed !== true) return undefined;
  return (id) => {
    const shown = publication.at(id);
    return shown !== undefined && shown.blockTime <= deadline;
  };
}
