export type {
  ChannelBalance,
  CreatedInvoice,
  CreateHoldInvoiceRequest,
  CreateInvoiceRequest,
  InvoiceState,
  InvoiceStatus,
  InvoiceSubscription,
  LightningBackend,
  NodeInfo,
  PaymentResult,
  PayOptions,
} from './backend.js';
export { defaultMaxFeeMsat } from './backend.js';
export {
  decodeInvoice,
  encodeInvoice,
  formatShortChannelId,
  type Invoice,
  type InvoiceDraft,
  type InvoiceField,
  isExpired,
  NETWORK_PREFIX,
  parseShortChannelId,
  primeInvoices,
  type RouteHintHop,
} from './bolt11.js';
export {
  checkAmountMsat,
  checkCltvExpiry,
  checkExpirySeconds,
  checkHash32,
  paymentHashOf,
} from './hashes.js';
export { invoiceStatusFromLnd, LndRestBackend, lndError } from './lnd/lnd-backend.js';
export { type LndConnection, LndHttpError, type LndStatus, LndTransport } from './lnd/lnd-transport.js';
export {
  capabilitiesOf,
  chooseEncryption,
  invoiceStatusOf,
  NIP47_METHODS,
  NIP47_NOTIFICATIONS,
  type Nip47ErrorBody,
  type Nip47Method,
  type Nip47NotificationType,
  type Nip47Transaction,
  NWC_KIND,
  type NwcEncryption,
  parseTransaction,
  transactionOf,
  type WalletCapabilities,
} from './nwc/nip47.js';
export { errorFromNip47, nip47ErrorOf } from './nwc/nip47-errors.js';
export { NwcBackend, type NwcBackendOptions } from './nwc/nwc-backend.js';
export { NwcClient, type NwcClientOptions, type NwcNotification } from './nwc/nwc-client.js';
export { formatNwcUri, NWC_URI_SCHEME, type NwcConnection, parseNwcUri } from './nwc/nwc-uri.js';
export { NwcWalletService, type NwcWalletServiceOptions } from './nwc/nwc-wallet-service.js';
export { type RandomSource, seededRandom, systemRandom } from './sim/random-source.js';
export { findRoute, forwardingFee, type Hop, type Route, type RouteHop } from './sim/routing.js';
export { type ChannelPolicy, DEFAULT_POLICY, SimChannel } from './sim/sim-channel.js';
export { SimNetwork, type SimNetworkOptions } from './sim/sim-network.js';
export { SimNode } from './sim/sim-node.js';
