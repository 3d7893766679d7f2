export {
  type BlacklistLookup,
  type Caveat,
  type CaveatContext,
  type CaveatRefusal,
  capabilitiesCaveat,
  checkCaveats,
  parseCaveat,
  type ReputationLookup,
  type ServiceGrant,
  servicesCaveat,
  validUntilCaveat,
} from './caveats.js';
export {
  type Authorization,
  type Challenge,
  formatAuthorization,
  formatChallenges,
  parseAuthorization,
  parseChallenge,
  parseChallenges,
} from './headers.js';
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
