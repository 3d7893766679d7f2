import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision, L402Provider, PaidRequest, RequestLike } from './provider.js';

/** The provider's view of a `node:http` request, without building a Fetch `Request`. */
export function requestLike(req: IncomingMessage): RequestLike {
  return {
    url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
    method: req.method ?? 'GET',
    headers: {
      get(name) {
        const value = req.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
  };
}

/** Writes a (challenge or refusal) Fetch `Response` to a `node:http` response. */
export async function writeFetchResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    // Fetch joins repeated headers with ", "; challenges go back to one header line each.
    headers[name] = name === 'www-authenticate' ? value.split(/,\s*(?=(?:L402|LSAT)\s)/) : value;
  });
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Puts a paid decision on a `node:http` response: the receipt header is added when the handler writes its status
 * (`writeHead`, explicit or implicit), so the receipt records the status really served.
 */
export function attachReceipt(decision: Extract<Decision, { kind: 'paid' }>, res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    const receipt = decision.receiptFor(statusCode);
    if (receipt !== undefined && !this.headersSent) this.setHeader('agora-receipt', receipt);
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, statusCode, ...rest);
  } as typeof res.writeHead;
}

/**
 * A paid `node:http` handler: `paid` tells who paid for what. It may be async; what it returns (`res.end(...)`'s
 * response, a promise) is awaited and otherwise ignored.
 */
export type NodePaidHandler = (req: IncomingMessage, res: ServerResponse, paid: PaidRequest) => unknown;

/** A `node:http` request listener that sells `handler` through `provider`. */
export function l402NodeHandler(
  provider: L402Provider,
  handler: NodePaidHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    provider
      .authorize(requestLike(req))
      .then(async (decision) => {
        if (decision.kind === 'refused') return writeFetchResponse(decision.response, res);
        attachReceipt(decision, res);
        return handler(req, res, decision.paid);
      })
      .catch(() => {
        // The handler's own failure: a generic body, never the internal message (it may name hosts, paths, keys).
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal error' }));
      });
  };
}
