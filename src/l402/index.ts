export {
  type BlacklistLookup,
  type Caveat,
  type CaveatContext,
  type CaveatRefusal,
  capabilitiesCaveat,
  checkCaveats,
  MemoryBlacklist,
  MemoryReputation,
  parseCaveat,
  type ReputationLookup,
  type ServiceGrant,
  servicesCaveat,
  validUntilCaveat,
} from './caveats.js';
export {
  Budget,
  type L402FetchOptions,
  l402Fetch,
  type PaidToken,
  type Payment,
  TokenCache,
} from './client.js';
export {
  CREDENTIAL_CAVEAT,
  CREDENTIAL_EPOCH_SECONDS,
  CREDENTIAL_EPOCH_SKEW_SECONDS,
  CREDENTIAL_ROOT_SETTLE_SECONDS,
  CREDENTIAL_TOP,
  type Credential,
  type CredentialAudience,
  type CredentialHolder,
  type CredentialRequirement,
  checkCredentialEpoch,
  credentialCaveat,
  credentialEpoch,
  credentialProof,
  credentialScope,
  credentialStatement,
  credentialTokenField,
  credentialWeight,
  DEFAULT_CREDENTIAL_ANONYMITY,
  formatCredentialHeader,
  levelAtLeast,
  levelOf,
  MAX_CREDENTIAL_HEADER,
  MAX_CREDENTIAL_ROOTS,
  parseCredentialCaveat,
  parseCredentialHeader,
  proveCredential,
  REPUTATION_LEVELS,
} from './credential.js';
export { CredentialBatcher } from './credential-batch.js';
export {
  CREDENTIAL_LINK_EPOCHS,
  CredentialHistory,
  type CredentialHistoryState,
  type CredentialMark,
  type CredentialRefusal,
  formatCredentialHistory,
  MAX_UNPAID_NODES_PER_ORIGIN,
  type NodeHistory,
  type OriginNode,
  parseCredentialHistory,
  type RefusedCredential,
  type ScopeLink,
  type ShownCredential,
  type ShownProof,
} from './credential-history.js';
export { type ExpressRequest, type ExpressResponse, l402Express } from './express.js';
export {
  type Authorization,
  type Challenge,
  formatAuthorization,
  formatChallenges,
  NODE_INVOICE_HEADER,
  parseAuthorization,
  parseChallenge,
  parseChallenges,
} from './headers.js';
export { type HonoContext, l402Hono } from './hono.js';
export { decodeIdentifier, encodeIdentifier, type TokenIdentifier, tokenIdHex } from './identifier.js';
export {
  addCaveat,
  decodeMacaroon,
  derivedKey,
  encodeMacaroon,
  encodeMacaroonBase64,
  type Macaroon,
  macaroonSignature,
  mintMacaroon,
  verifyMacaroonSignature,
} from './macaroon.js';
export { attachReceipt, l402NodeHandler, type NodePaidHandler } from './node-http.js';
export {
  formatPayerHeader,
  type PayerProofTarget,
  parsePayerHeader,
  payerProofMessage,
  verifyPayerProof,
} from './payer-proof.js';
export {
  type CredentialPolicy,
  type Decision,
  L402Provider,
  type L402ProviderOptions,
  type PaidHandler,
  type PaidRequest,
  type PayerPolicy,
  type RequestLike,
} from './provider.js';
export { deriveRootKey, LedgerRootKeyStore, MemoryRootKeyStore, type RootKeyStore } from './root-keys.js';
