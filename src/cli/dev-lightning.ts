import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgoraError, AsyncQueue, ErrorCode, isAgoraError, readBoundedBody } from '../core/index.js';
import {
  type InvoiceStatus,
  type InvoiceSubscription,
  type LightningBackend,
  SimNetwork,
  type SimNode,
} from '../lightning/index.js';
import { closeUnread, fetchRequestOf } from './node-request.js';

/**
 * A development Lightning network for the CLI: `agora dev lightning` keeps an in-memory {@link SimNetwork} (regtest
 * invoices, real preimages, hold invoices) in one process and lets other `agora` processes use a node of it over
 * HTTP, so stake, fetch and serve can be tried without LND. Each node name in the URL
 * (`http://127.0.0.1:9736/alice`) is created on first use with a channel to and from a hub. Nothing is persisted:
 * it is a test network, never money.
 */

/** The methods of {@link LightningBackend} a dev node answers (subscriptions are polled by the client). */
const METHODS = [
  'info',
  'balance',
  'createInvoice',
  'createHoldInvoice',
  'settleHoldInvoice',
  'cancelInvoice',
  'lookupInvoice',
  'payInvoice',
] as const;
type Method = (typeof METHODS)[number];

/** Sats each side of a new node's channels with the hub holds. */
const CHANNEL_SAT = 10_000_000;
/** A block every ten minutes of wall time, as on Bitcoin: hold invoices expire by height. */
const BLOCK_MS = 600_000;
const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** The largest argument list read: a bolt11 invoice and its options fit many times over. */
const MAX_BODY = 64 * 1024;

/** The dev network's HTTP server: POST /<node>/<method> with a JSON array of arguments. */
export async function serveDevLightning(options: { port: number; host: string }): Promise<{
  url: string;
  network: SimNetwork;
  close(): Promise<void>;
}> {
  const network = new SimNetwork();
  const hub = network.createNode('hub');
  const nodes = new Map<string, SimNode>();
  const nodeNamed = (name: string): SimNode => {
    let node = nodes.get(name);
    if (node === undefined) {
      node = network.createNode(name);
      network.openChannel(node, hub, { capacitySat: CHANNEL_SAT });
      network.openChannel(hub, node, { capacitySat: CHANNEL_SAT });
      nodes.set(name, node);
    }
    return node;
  };
  const server: Server = createServer((req, res) => {
    const [, name, method] = (req.url ?? '').split('/');
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? null));
    if (
      req.method !== 'POST' ||
      name === undefined ||
      !NAME.test(name) ||
      !METHODS.includes(method as Method)
    ) {
      reply(404, { error: { code: ErrorCode.NotFound, message: 'POST /<node>/<method>' } });
      return;
    }
    readBoundedBody(fetchRequestOf(req, 'http://localhost'), MAX_BODY).then(
      (bytes) => {
        let args: unknown[];
        try {
          args = JSON.parse(new TextDecoder().decode(bytes) || '[]') as unknown[];
          if (!Array.isArray(args) || args.length > 2) throw new Error('not an argument list');
        } catch {
          reply(400, {
            error: { code: ErrorCode.InvalidJson, message: 'the body is a JSON array of arguments' },
          });
          return;
        }
        const node = nodeNamed(name) as unknown as Record<Method, (...a: unknown[]) => Promise<unknown>>;
        node[method as Method](...args).then(
          (result) => reply(200, { result }),
          (error: unknown) =>
            reply(
              200,
              isAgoraError(error)
                ? { error: { code: error.code, message: error.message } }
                : { error: { code: ErrorCode.Internal, message: String((error as Error).message) } },
            ),
        );
      },
      (error: unknown) => {
        closeUnread(req, res);
        if (isAgoraError(error)) reply(413, { error: { code: error.code, message: error.message } });
        else res.destroy(); // the socket failed mid-body: nobody is left to answer
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        new AgoraError(ErrorCode.Io, `cannot listen on ${options.host}:${options.port}: ${cause.code}`, {
          cause,
        }),
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const blocks = setInterval(() => network.mineBlocks(1), BLOCK_MS);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    network,
    close: async () => {
      clearInterval(blocks);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How often a subscription asks for an invoice's state. */
const POLL_MS = 200;

/** A node of a dev network (`agora dev lightning`), as a {@link LightningBackend}. */
export class DevLightningBackend implements LightningBackend {
  private readonly base: string;

  /** `url` names the server and the node: `http://127.0.0.1:9736/alice`. */
  constructor(url: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AgoraError(ErrorCode.Usage, `--lightning-dev takes a URL like http://127.0.0.1:9736/alice`);
    }
    const name = parsed.pathname.replace(/^\/+|\/+$/g, '');
    if (parsed.protocol !== 'http:' || !NAME.test(name))
      throw new AgoraError(
        ErrorCode.Usage,
        `--lightning-dev ${url}: use http://HOST:PORT/NODE, NODE in lower-case letters, digits, - and _`,
      );
    this.base = `${parsed.origin}/${name}`;
  }

  private async call<T>(method: Method, ...args: unknown[]): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}/${method}`, { method: 'POST', body: JSON.stringify(args) });
    } catch (cause) {
      throw new AgoraError(
        ErrorCode.BackendUnreachable,
        `the dev Lightning network at ${new URL(this.base).origin} does not answer (is agora dev lightning running?)`,
        { cause },
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      result?: T;
      error?: { code: ErrorCode; message: string };
    };
    if (body.error !== undefined) throw new AgoraError(body.error.code, body.error.message);
    if (!response.ok)
      throw new AgoraError(
        ErrorCode.BackendUnreachable,
        `the dev Lightning network answered ${response.status}`,
      );
    return body.result as T;
  }

  info = () => this.call<Awaited<ReturnType<LightningBackend['info']>>>('info');
  balance = () => this.call<Awaited<ReturnType<LightningBackend['balance']>>>('balance');
  createInvoice: LightningBackend['createInvoice'] = (request) => this.call('createInvoice', request);
  createHoldInvoice: LightningBackend['createHoldInvoice'] = (request) =>
    this.call('createHoldInvoice', request);
  settleHoldInvoice: LightningBackend['settleHoldInvoice'] = (preimage) =>
    this.call('settleHoldInvoice', preimage);
  cancelInvoice: LightningBackend['cancelInvoice'] = (paymentHash) => this.call('cancelInvoice', paymentHash);
  lookupInvoice: LightningBackend['lookupInvoice'] = (paymentHash) => this.call('lookupInvoice', paymentHash);
  payInvoice: LightningBackend['payInvoice'] = (paymentRequest, options) =>
    this.call('payInvoice', paymentRequest, options ?? {});

  /** Polls the invoice and pushes each change of state, ending once it is settled or canceled. */
  subscribeInvoice(paymentHash: string): InvoiceSubscription {
    let stopped = false;
    const queue = new AsyncQueue<InvoiceStatus>(() => {
      stopped = true;
    });
    let last: string | undefined;
    const poll = async () => {
      while (!stopped) {
        try {
          const status = await this.lookupInvoice(paymentHash);
          if (status.state !== last) {
            last = status.state;
            queue.push(status);
          }
          if (status.state === 'SETTLED' || status.state === 'CANCELED') {
            queue.end();
            return;
          }
        } catch (error) {
          queue.fail(error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
      }
    };
    void poll();
    return queue;
  }
}
