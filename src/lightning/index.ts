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
export { type RandomSource, seededRandom, systemRandom } from './sim/random-source.js';
export { findRoute, forwardingFee, type Hop, type Route, type RouteHop } from './sim/routing.js';
export { type ChannelPolicy, DEFAULT_POLICY, SimChannel } from './sim/sim-channel.js';
export { SimNetwork, type SimNetworkOptions } from './sim/sim-network.js';
export { SimNode } from './sim/sim-node.js';
