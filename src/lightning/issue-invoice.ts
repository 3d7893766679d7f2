import type { BitcoinNetwork } from '../core/index.js';
import type { CreatedInvoice } from './backend.js';
import { encodeInvoice, type InvoiceField, type RouteHintHop } from './bolt11.js';
import { checkHash32, invoiceTerms } from './hashes.js';
import type { InvoiceBook } from './invoice-book.js';

/** What a node needs to write and remember one invoice. */
export interface InvoiceIssue {
  network: BitcoinNetwork;
  nodeSecretKey: Uint8Array;
  /** Unix seconds. */
  timestamp: number;
  paymentHash: string;
  paymentSecret: string;
  /** Known for ordinary invoices, undefined for hold invoices. */
  preimage: string | undefined;
  finalCltv: number;
  amountMsat: number;
  description?: string;
  descriptionHash?: string;
  expirySeconds?: number;
  /** Private channels a payer may route the last hops through (`r` fields). */
  routeHints?: RouteHintHop[][];
  /** Keep the invoice decoded (payee known, no recovery): its payers are in this process (see `encodeInvoice`). */
  remember?: boolean;
}

/** Features set in every invoice issued here: var_onion_optin and payment_secret required, basic_mpp optional. */
export const INVOICE_FEATURES = [8, 14, 17];

/** Validates, signs and records an invoice in `book` (OPEN); returns what `createInvoice` answers. */
export function issueInvoice(book: InvoiceBook, issue: InvoiceIssue): CreatedInvoice {
  const { amountMsat, expirySeconds } = invoiceTerms(issue);
  const fields: InvoiceField[] = [
    { tag: 'p', paymentHash: issue.paymentHash },
    { tag: 's', paymentSecret: issue.paymentSecret },
    issue.descriptionHash === undefined
      ? { tag: 'd', description: issue.description ?? '' }
      : { tag: 'h', descriptionHash: checkHash32(issue.descriptionHash, 'descriptionHash') },
    { tag: 'x', expirySeconds },
    { tag: 'c', minFinalCltvExpiry: issue.finalCltv },
    ...(issue.routeHints ?? []).map((routeHint): InvoiceField => ({ tag: 'r', routeHint })),
    { tag: '9', features: INVOICE_FEATURES },
  ];
  const paymentRequest = encodeInvoice(
    { network: issue.network, amountMsat, timestamp: issue.timestamp, fields },
    issue.nodeSecretKey,
    { remember: issue.remember === true },
  );
  const record = book.add({
    paymentHash: issue.paymentHash,
    paymentSecret: issue.paymentSecret,
    paymentRequest,
    amountMsat,
    expiresAt: issue.timestamp + expirySeconds,
    hold: issue.preimage === undefined,
    finalCltv: issue.finalCltv,
    preimage: issue.preimage,
  });
  const created = { paymentRequest, paymentHash: issue.paymentHash, expiresAt: record.expiresAt };
  return issue.preimage === undefined ? created : { ...created, preimage: issue.preimage };
}
