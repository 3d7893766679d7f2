export { AsyncQueue } from './async-queue.js';
export type { BitcoinNetwork } from './bitcoin-network.js';
export { readBoundedBody } from './bounded-body.js';
export {
  canonicalJson,
  hasExactKeys,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  parseJson,
} from './canonical-json.js';
export { type Clock, ManualClock, systemClock, unixSeconds } from './clock.js';
export {
  bytesEqual,
  fromBase64,
  fromBase64Url,
  fromHex,
  fromUtf8,
  isDecimal,
  isLowerHex,
  toBase64,
  toBase64Url,
  toHex,
  utf8,
} from './encoding.js';
export { AgoraError, ErrorCode, type ErrorDetails, isAgoraError } from './errors.js';
export { bitcoinMerkleLevels, doubleSha256, hmacSha256, taggedHash } from './hash.js';
export {
  anchorConfirmations,
  checkNetworkConfig,
  DEFAULT_CONFIRMATIONS,
  DEFAULT_DECISION_TIME,
  type DecisionTimeBounds,
  decisionTimeBounds,
  HEADER_TIME_TOLERANCE,
  type NetworkConfig,
  networkWitnesses,
  witnessQuorum,
} from './network-config.js';
