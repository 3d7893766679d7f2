export {
  type AnchorCommittedBody,
  type AnchorConfirmedBody,
  type AnchorHeadersBody,
  type AnchorNetwork,
  anchorEventTypes,
  anchorNetwork,
  createAnchorCommitted,
  createAnchorConfirmed,
  createAnchorHeaders,
  MAX_ANCHORED_VOTES,
} from './anchor-events.js';
export { anchorToOts } from './anchor-ots.js';
export {
  type AnchorTransaction,
  type AnchorTransactionRequest,
  type AnchorWallet,
  anchorWallet,
  buildAnchorTransaction,
  bumpAnchorFee,
  type Utxo,
  type WalletKind,
} from './anchor-transaction.js';
export {
  type AnchoredDecision,
  anchoredDecision,
  type ProposalAnchor,
} from './anchored-decision.js';
export { type BestChain, bestChain, ledgerBestChain } from './best-chain.js';
export { type BitcoindConnection, BitcoindRpc } from './bitcoind-rpc.js';
export {
  type BlockHeader,
  type BranchStep,
  checkHeaderChain,
  checkProofOfWork,
  HEADER_BYTES,
  merkleBranch,
  merkleRootFromBranch,
  parseBlockHeader,
  reverseHex,
  targetFromBits,
} from './block-header.js';
export { type BlockAtHeight, blockAtHeight, seedBlocks, settledChainTime } from './block-rule.js';
export { leastMedianTimePast, MEDIAN_TIME_SPAN } from './block-time.js';
export { type ChainBackend, type TxStatus, txRejected } from './chain-backend.js';
export {
  ANCHOR_MAGIC,
  anchorPayload,
  type CommitmentStep,
  CommitmentTree,
  commitmentOfScript,
  commitmentRootOf,
  eventsCommitmentTree,
  MAX_OP_RETURN_DATA,
  opReturnScript,
  type ProposalCommitmentInput,
  proposalCommitmentTree,
  verifyInclusion,
} from './commitment.js';
export { decisionAnchorOf, decisionAnchors } from './decision-anchors.js';
export { descriptorChecksum, walletFromDescriptor } from './descriptor.js';
export { disputeAnchors, disputeEventCommitment } from './dispute-anchors.js';
export { EsploraClient } from './esplora.js';
export {
  bitsFromTarget,
  blockWork,
  CHAIN_RULES,
  type ChainRules,
  type Checkpoint,
  type HeaderRun,
  MAINNET_CHECKPOINT,
  nextWorkRequired,
  RETARGET_INTERVAL,
  runEnd,
  runStart,
  verifyHeaderRun,
} from './header-chain.js';
export {
  applyOtsOp,
  type OtsAttestation,
  type OtsHashOp,
  type OtsOp,
  type OtsProof,
  type OtsTimestamp,
  otsAttestations,
  readOts,
  verifyOts,
  writeOts,
} from './ots.js';
export {
  type AnchorStatus,
  anchoredVotes,
  anchorStatus,
  committedResult,
  proposalCommitment,
  subjectAnchors,
} from './proposal-anchor.js';
export { publicationTimes } from './publication.js';
export {
  type AnchorProof,
  POW_LIMIT_BITS,
  type SpvOptions,
  type TxProof,
  txidOf,
  type VerifiedAnchor,
  verifyAnchor,
  verifyTxInBlock,
} from './spv.js';
export { type Confirmation, waitForConfirmations } from './watch.js';
export {
  createWitnessBatch,
  MAX_WITNESSED_IDS,
  type WitnessBatchBody,
  witnessBatchCommitment,
  witnessBatchType,
} from './witness-batch.js';
export {
  WITNESS_COMMIT_GRACE,
  WITNESS_CONFIRM_GRACE,
  type WitnessBatch,
  witnessRound,
} from './witness-round.js';
