import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { L402Provider, PaidHandler } from './provider.js';

/** A Fetch API `Request` from a `node:http` request. */
export function toFetchRequest(req: IncomingMessage): Request {
  const host = req.headers.host ?? 'localhost';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
  } as RequestInit);
}

/** Writes a Fetch API `Response` to a `node:http` response. */
export async function writeFetchResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    const existing = headers[name];
    headers[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  });
  // Headers.forEach joins repeated values except set-cookie; WWW-Authenticate challenges are sent one per line.
  const challenges: string[] = [];
  response.headers.forEach((value, name) => {
    if (name === 'www-authenticate') challenges.push(...value.split(/,\s*(?=(?:L402|LSAT)\s)/));
  });
  if (challenges.length > 0) headers['www-authenticate'] = challenges;
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** A `node:http` request listener that sells `handler` through `provider`. */
export function l402NodeHandler(
  provider: L402Provider,
  handler: PaidHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    provider
      .handle(toFetchRequest(req), handler)
      .then((response) => writeFetchResponse(response, res))
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal error', reason: (error as Error).message }));
      });
  };
}
