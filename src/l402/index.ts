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
