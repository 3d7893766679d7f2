import {
  type AnchorNetwork,
  anchorEventTypes,
  anchorNetwork,
  blockAtHeight,
  witnessBatchType,
} from './anchor/index.js';
import {
  type BitcoinNetwork,
  checkNetworkConfig,
  type NetworkConfig,
  networkWitnesses,
} from './core/index.js';
import { disputeEventTypes } from './disputes/index.js';
import {
  delegationSetType,
  type ProposalRules,
  proposalCanceledType,
  proposalCreatedTypeFor,
  reputationSnapshotType,
  snapshotSourcesType,
  voteCastType,
} from './governance/index.js';
import { agentRegisteredType, EventRegistry, type EventTypeDefinition } from './ledger/index.js';
import { receiptRatingType, receiptType } from './receipts/index.js';
import { stakeEventTypes } from './stake/index.js';
import type { Verifier } from './zk/index.js';

/** How the ready-made registry checks the event types whose verification has settings. */
export interface AgoraRegistryOptions {
  /**
   * The Bitcoin network `anchor.*` events must name, with its header checkpoint (default `bitcoin`): an anchor
   * claiming another chain is refused.
   */
  readonly network?: BitcoinNetwork | AnchorNetwork;
  /**
   * What checks `vote.cast` proofs: a loaded verifier, or a loader called on the first vote (default: the committed
   * artifacts, loaded on the first vote, so a registry costs nothing where no vote is appended).
   */
  readonly verifier?: Verifier | (() => Promise<Verifier>);
  /**
   * What checks `dispute.vote` proofs (the panel circuit's: `Verifier.loadPanel()`); default: the committed panel
   * artifacts, loaded on the first juror vote.
   */
  readonly panelVerifier?: Verifier | (() => Promise<Verifier>);
  /** The ledger's rules for `proposal.created` (least proposer weight per mode); default none. */
  readonly proposalRules?: ProposalRules;
  /**
   * The rest of the network's configuration (see {@link NetworkConfig}; its chain is `network`'s): the pre-trusted
   * reputation seeds, the accepted stake custodians and the decision time bounds. Absent seeds or custodians are the
   * development default, refused where it matters on `bitcoin`.
   */
  readonly config?: Omit<NetworkConfig, 'chain'>;
}

/**
 * Every event type this build of agora402 defines, in layer order: registrations, receipts and ratings, stakes,
 * delegations, proposals, checkpoints, reputation snapshots, cancellations, votes, anchors, witness batches, disputes. A ledger opened with fewer refuses the
 * others' events (`UNKNOWN_EVENT_TYPE`), so a replica that syncs with agents of this build should accept them all.
 */
export function defaultEventTypes(options: AgoraRegistryOptions = {}): EventTypeDefinition[] {
  return [
    agentRegisteredType,
    receiptType,
    receiptRatingType,
    ...stakeEventTypes,
    delegationSetType,
    proposalCreatedTypeFor(options.proposalRules),
    snapshotSourcesType,
    reputationSnapshotType,
    proposalCanceledType,
    options.verifier === undefined ? voteCastType() : voteCastType(options.verifier),
    ...anchorEventTypes(options.network),
    witnessBatchType(networkWitnesses({ chain: 'regtest', ...options.config })),
    ...disputeEventTypes({
      blockRule: blockAtHeight(options.network),
      ...(options.panelVerifier === undefined ? {} : { panelVerifier: options.panelVerifier }),
    }),
  ];
}

/**
 * A registry of every event type (see {@link defaultEventTypes}): what `Ledger.open` needs to hold anything an
 * agora402 agent writes, receipts of an L402 exchange included.
 *
 * @example
 * const ledger = await Ledger.open('./ledger', { registry: agoraRegistry({ network: 'signet' }) });
 */
export function agoraRegistry(options: AgoraRegistryOptions = {}): EventRegistry {
  const { chain } = anchorNetwork(options.network);
  return new EventRegistry(defaultEventTypes(options), checkNetworkConfig({ ...options.config, chain }));
}
