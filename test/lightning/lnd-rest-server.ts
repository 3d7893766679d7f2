// A loopback HTTPS server that speaks LND's REST API (lnrpc, invoicesrpc and routerrpc as published in LND's
// swagger definitions: int64 as strings, bytes as base64, rpcStatus error bodies, newline-delimited stream
// results) in front of a simulated node. It lets the LND client run the conformance suite without an lnd binary.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  AgoraError,
  ErrorCode,
  fromBase64,
  fromBase64Url,
  isAgoraError,
  type JsonObject,
  toBase64,
  toHex,
} from '../../src/core/index.js';
import { decodeInvoice, type InvoiceStatus, type SimNode } from '../../src/lightning/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
export const lndCertificate = fixture('lnd-tls.cert');
export const otherCertificate = fixture('other-tls.cert');

class RpcError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The message and status LND gives for what the simulated node refused. */
function rpcError(error: unknown, operation: string): RpcError {
  if (!isAgoraError(error)) return new RpcError(500, 2, String(error));
  switch (error.code) {
    case ErrorCode.UnknownInvoice:
      return new RpcError(404, 5, 'unable to locate invoice');
    case ErrorCode.AlreadyExists:
      return new RpcError(409, 6, 'invoice with payment hash already exists');
    case ErrorCode.InvalidState:
      return new RpcError(500, 2, operation === 'cancel' ? 'invoice already settled' : 'invoice still open');
    case ErrorCode.InvalidArgument:
      return new RpcError(400, 3, error.message);
    default:
      return new RpcError(500, 2, error.message);
  }
}

function bytesFromRest(value: unknown): Uint8Array {
  // The gateway accepts standard or URL-safe base64 for bytes fields.
  const text = String(value ?? '');
  return /[-_]/.test(text) ? fromBase64Url(text) : fromBase64(text);
}

function lndInvoice(status: InvoiceStatus, acceptHeight: number): JsonObject {
  const decoded = decodeInvoice(status.paymentRequest);
  const held = status.state === 'ACCEPTED' || (status.state === 'SETTLED' && status.amountPaidMsat > 0);
  return {
    memo: decoded.description ?? '',
    r_preimage: status.preimage === undefined ? null : toBase64(Buffer.from(status.preimage, 'hex')),
    r_hash: toBase64(Buffer.from(status.paymentHash, 'hex')),
    value: String(Math.floor(status.amountMsat / 1000)),
    value_msat: String(status.amountMsat),
    settled: status.state === 'SETTLED',
    creation_date: String(decoded.timestamp),
    settle_date: String(status.settledAt ?? 0),
    payment_request: status.paymentRequest,
    expiry: String(decoded.expirySeconds),
    cltv_expiry: String(decoded.minFinalCltvExpiry),
    amt_paid_msat: status.state === 'SETTLED' ? String(status.amountPaidMsat) : '0',
    state: status.state,
    htlcs: held
      ? [
          {
            chan_id: '1',
            htlc_index: '0',
            amt_msat: String(status.amountPaidMsat),
            accept_height: acceptHeight,
            expiry_height: status.htlcExpiryHeight ?? 0,
            state: status.state === 'ACCEPTED' ? 'ACCEPTED' : 'SETTLED',
          },
        ]
      : [],
    payment_addr: toBase64(Buffer.from(decoded.paymentSecret ?? '', 'hex')),
  };
}

export interface LndServerOptions {
  macaroonHex: string;
  /** Fault: answer nothing at all. */
  hang?: boolean;
  /** Fault: reset this many connections before answering normally. */
  resetFirst?: number;
}

/** Starts the server on 127.0.0.1 and a free port; resolves with its URL. */
export async function startLndRestServer(
  node: SimNode,
  options: LndServerOptions,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  let resets = options.resetFirst ?? 0;
  const server = createServer({ cert: lndCertificate, key: fixture('lnd-tls.key') }, async (req, res) => {
    if (options.hang) return;
    if (resets > 0) {
      resets--;
      req.socket.destroy();
      return;
    }
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const sendError = (error: RpcError) =>
      send(error.httpStatus, { code: error.code, message: error.message, details: [] });
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = (text === '' ? {} : JSON.parse(text)) as JsonObject;
    const url = new URL(req.url ?? '/', 'https://localhost');
    const route = `${req.method} ${url.pathname}`;
    const macaroon = req.headers['grpc-metadata-macaroon'];
    if (macaroon === undefined) return sendError(new RpcError(500, 2, 'expected 1 macaroon, got 0'));
    if (macaroon !== options.macaroonHex) {
      return sendError(
        new RpcError(500, 2, 'verification failed: signature mismatch after caveat verification'),
      );
    }
    const acceptHeight = node.network.blockHeight;
    try {
      if (route === 'GET /v1/getinfo') {
        const info = await node.info();
        return send(200, {
          identity_pubkey: info.nodeKey,
          alias: info.alias,
          block_height: info.blockHeight,
          synced_to_chain: true,
          chains: [{ chain: 'bitcoin', network: info.network === 'bitcoin' ? 'mainnet' : info.network }],
        });
      }
      if (route === 'GET /v1/balance/channels') {
        const { spendableMsat, inFlightMsat } = await node.balance();
        const amount = (msat: number) => ({ sat: String(Math.floor(msat / 1000)), msat: String(msat) });
        return send(200, {
          local_balance: amount(spendableMsat),
          remote_balance: amount(0),
          unsettled_local_balance: amount(inFlightMsat),
          unsettled_remote_balance: amount(0),
        });
      }
      if (route === 'POST /v1/invoices' || route === 'POST /v2/invoices/hodl') {
        const common = {
          amountMsat: Number(body.value_msat),
          ...(body.memo === undefined ? {} : { description: String(body.memo) }),
          ...(body.description_hash === undefined
            ? {}
            : { descriptionHash: toHex(bytesFromRest(body.description_hash)) }),
          ...(body.expiry === undefined ? {} : { expirySeconds: Number(body.expiry) }),
        };
        const created =
          route === 'POST /v1/invoices'
            ? await node.createInvoice({
                ...common,
                ...(body.r_preimage === undefined ? {} : { preimage: toHex(bytesFromRest(body.r_preimage)) }),
              })
            : await node.createHoldInvoice({
                ...common,
                paymentHash: toHex(bytesFromRest(body.hash)),
                cltvExpiry: Number(body.cltv_expiry ?? 80),
              });
        const paymentAddr = toBase64(
          Buffer.from(decodeInvoice(created.paymentRequest).paymentSecret ?? '', 'hex'),
        );
        const answer: JsonObject = {
          payment_request: created.paymentRequest,
          add_index: '1',
          payment_addr: paymentAddr,
        };
        if (route === 'POST /v1/invoices') answer.r_hash = toBase64(Buffer.from(created.paymentHash, 'hex'));
        return send(200, answer);
      }
      if (route === 'POST /v2/invoices/settle') {
        await node.settleHoldInvoice(toHex(bytesFromRest(body.preimage)));
        return send(200, {});
      }
      if (route === 'POST /v2/invoices/cancel') {
        try {
          await node.cancelInvoice(toHex(bytesFromRest(body.payment_hash)));
        } catch (error) {
          return sendError(rpcError(error, 'cancel'));
        }
        return send(200, {});
      }
      if (route === 'GET /v2/invoices/lookup') {
        const status = await node.lookupInvoice(toHex(bytesFromRest(url.searchParams.get('payment_hash'))));
        return send(200, lndInvoice(status, acceptHeight));
      }
      if (req.method === 'GET' && url.pathname.startsWith('/v2/invoices/subscribe/')) {
        const hash = toHex(
          fromBase64Url(decodeURIComponent(url.pathname.slice('/v2/invoices/subscribe/'.length))),
        );
        res.writeHead(200, { 'content-type': 'application/json' });
        try {
          for await (const status of node.subscribeInvoice(hash))
            res.write(`${JSON.stringify({ result: lndInvoice(status, acceptHeight) })}\n`);
        } catch (error) {
          const rpc = rpcError(error, 'subscribe');
          res.write(`${JSON.stringify({ error: { code: rpc.code, message: rpc.message, details: [] } })}\n`);
        }
        return res.end();
      }
      if (route === 'POST /v2/router/send') {
        const paymentRequest = String(body.payment_request);
        const decoded = decodeInvoice(paymentRequest);
        const payment = (status: string, extra: JsonObject = {}) => ({
          result: {
            payment_hash: decoded.paymentHash,
            value_msat: String(decoded.amountMsat ?? 0),
            payment_request: paymentRequest,
            status,
            fee_msat: '0',
            payment_preimage: '',
            failure_reason: 'FAILURE_REASON_NONE',
            ...extra,
          },
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        const settled = node.payInvoice(paymentRequest, { maxFeeMsat: Number(body.fee_limit_msat) });
        res.write(`${JSON.stringify(payment('IN_FLIGHT'))}\n`);
        try {
          const paid = await settled;
          res.write(
            `${JSON.stringify(payment('SUCCEEDED', { payment_preimage: paid.preimage, fee_msat: String(paid.feeMsat) }))}\n`,
          );
        } catch (error) {
          const code = isAgoraError(error) ? error.code : '';
          if (
            code === ErrorCode.AlreadySettled ||
            code === ErrorCode.InvoiceExpired ||
            code === ErrorCode.InvalidState
          ) {
            const message =
              code === ErrorCode.AlreadySettled
                ? 'invoice is already paid'
                : code === ErrorCode.InvoiceExpired
                  ? 'invoice expired'
                  : 'payment is in transition';
            res.write(`${JSON.stringify({ error: { code: 2, message, details: [] } })}\n`);
          } else {
            const reason =
              code === ErrorCode.NoRoute
                ? 'FAILURE_REASON_NO_ROUTE'
                : code === ErrorCode.InsufficientBalance
                  ? 'FAILURE_REASON_INSUFFICIENT_BALANCE'
                  : 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS';
            res.write(`${JSON.stringify(payment('FAILED', { failure_reason: reason }))}\n`);
          }
        }
        return res.end();
      }
      return send(404, { code: 5, message: 'Not Found', details: [] });
    } catch (error) {
      if (error instanceof AgoraError || !(error instanceof RpcError))
        return sendError(rpcError(error, route));
      return sendError(error);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
