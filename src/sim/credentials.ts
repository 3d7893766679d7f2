import { ManualClock } from '../core/index.js';
import { acceptedSnapshots, createReputationSnapshot, credentialHolder } from '../governance/index.js';
import { zkIdentity } from '../identity/index.js';
import { CredentialBatcher, CredentialHistory, type CredentialHolder } from '../l402/index.js';
import type { Ledger } from '../ledger/index.js';
import type { Prover, Verifier } from '../zk/index.js';
import type { Actor, Cast } from './state.js';

/** Snapshot roots gated providers accept: the last three published. */
const ACCEPTED_SNAPSHOTS = 3;

/**
 * Anonymous reputation gating in a run (scenario `gatedProviders`): the snapshots published so far, each agent's
 * credential over them, and what the gated providers saw.
 */
export interface CredentialState {
  readonly prover: Prover;
  readonly verifier: CredentialBatcher;
  /** Accepted roots, newest first. */
  roots: bigint[];
  holders: Map<Actor, CredentialHolder>;
  /**
   * Each agent's credential history, kept for the whole run: holders are rebuilt at every snapshot, and a rebuilt
   * holder must remember what its pseudonyms were shown against and which providers know its id.
   */
  readonly histories: Map<Actor, CredentialHistory>;
  /** Purchases tried at gated providers. */
  purchases: number;
  /** Of those, refused for the credential: the payer is below the threshold or in no accepted snapshot. */
  refused: number;
  /** Reputation snapshots published. */
  snapshots: number;
  /** Fewest snapshot members reaching a threshold for a payer to prove it (default 8, the client's). */
  readonly minAnonymity?: number;
}

/** An empty credential state for a run: no snapshot yet, so gated providers sell nothing until the first. */
export function openCredentials(
  prover: Prover,
  verifier: Verifier,
  options: { minAnonymity?: number } = {},
): CredentialState {
  return {
    ...options,
    prover,
    verifier: new CredentialBatcher(verifier),
    roots: [],
    holders: new Map(),
    histories: new Map(),
    purchases: 0,
    refused: 0,
    snapshots: 0,
  };
}

/**
 * Publishes a reputation snapshot of the ledger now (signed by the first founder), then takes the last few valid
 * ones as the accepted roots and gives every agent its credential over them.
 */
export async function publishSnapshot(
  state: { ledger: Ledger; clock: ManualClock; cast: Cast },
  credentials: CredentialState,
): Promise<void> {
  const { ledger, clock, cast } = state;
  const author = cast.honest[0] as Actor;
  const { sources, event } = await createReputationSnapshot(ledger, author.key, {
    clock: new ManualClock(clock.now()),
  });
  await ledger.appendBatch([...sources, event]);
  credentials.snapshots++;
  const accepted = await acceptedSnapshots(ledger, { count: ACCEPTED_SNAPSHOTS });
  credentials.roots = accepted.map((entry) => entry.snapshot.root);
  const snapshots = accepted.map((entry) => entry.snapshot);
  credentials.holders = new Map();
  for (const agent of cast.agents) {
    const history = credentials.histories.get(agent) ?? CredentialHistory.inMemory();
    credentials.histories.set(agent, history);
    credentials.holders.set(
      agent,
      await credentialHolder(
        credentials.prover,
        agent.key.id,
        (await zkIdentity(agent.key)).secret,
        snapshots,
        // Every simulated agent reads the one ledger: a snapshot is held by all of them as soon as it is published.
        credentials.minAnonymity === undefined
          ? { history, rootSettleSeconds: 0 }
          : { history, minAnonymity: credentials.minAnonymity, rootSettleSeconds: 0 },
      ),
    );
  }
}
