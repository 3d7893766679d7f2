// Review of the custodian's HTTP (POST /v1/stake/claim and its siblings): the handler checked a body's size only
// after `request.text()` had read all of it, and `agora stake serve` gathered every chunk before building the
// request. An unauthenticated caller streamed gigabytes at any POST path and the custodian, which holds the
// network's stakes and releases them on its timer, buffered them all before refusing. Fixed: `readBoundedBody`
// refuses a declared length above 64 KiB unread and cancels a chunked body at the first chunk past it (413,
// BODY_TOO_LARGE); the Node adapter streams the socket into the handler and closes the connection after refusing.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeUnread, fetchRequestOf } from '../../src/cli/node-request.js';
import { AgoraError, ErrorCode } from '../../src/core/index.js';
import { writeFetchResponse } from '../../src/l402/node-http.js';
import { type StakeCustodianApi, stakeCustodianHandler } from '../../src/stake/index.js';

const LIMIT = 64 * 1024;

/** A custodian only an accepted body reaches: it answers 409 "reached". */
const unreachable: StakeCustodianApi = {
  id: '00'.repeat(32),
  offer: () => Promise.reject(new AgoraError(ErrorCode.InvalidState, 'reached')),
  accept: () => Promise.reject(new AgoraError(ErrorCode.InvalidState, 'reached')),
  payShare: () => Promise.reject(new AgoraError(ErrorCode.InvalidState, 'reached')),
};
const handle = stakeCustodianHandler(unreachable);

/** `chunks` chunks of 64 KiB of spaces, counting how many bytes the reader pulled. */
function counted(chunks: number): { body: ReadableStream<Uint8Array>; read: () => number } {
  const chunk = new Uint8Array(LIMIT).fill(0x20);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent++;
      controller.enqueue(chunk);
    },
  });
  return { body, read: () => sent * chunk.length };
}

function post(body: ReadableStream<Uint8Array> | string, headers: Record<string, string> = {}): Request {
  return new Request('http://127.0.0.1/v1/stake/claim', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit);
}

describe('a claim body far above the 64 KiB limit', () => {
  it('is refused after reading about the limit, not all of it', async () => {
    const { body, read } = counted(256); // 16 MiB of spaces, chunked: no content-length
    const response = await handle(post(body));
    expect(response.status).toBe(413);
    expect((await response.json()) as unknown).toMatchObject({ error: { code: ErrorCode.BodyTooLarge } });
    expect(read()).toBeLessThanOrEqual(4 * LIMIT);
  });

  it('is refused unread when its content-length says so', async () => {
    const { body, read } = counted(256);
    const response = await handle(post(body, { 'content-length': String(256 * LIMIT) }));
    expect(response.status).toBe(413);
    expect((await response.json()) as unknown).toMatchObject({ error: { code: ErrorCode.BodyTooLarge } });
    // At most what the stream queued on its own before anyone read (its high-water mark of one chunk).
    expect(read()).toBeLessThanOrEqual(LIMIT);
  });

  it('is accepted at exactly the limit, and refused one byte above it', async () => {
    const exact = (size: number) => {
      const head = '{"claim":{"pad":"';
      const tail = '"}}';
      return head + 'x'.repeat(size - head.length - tail.length) + tail;
    };
    const atLimit = await handle(post(exact(LIMIT)));
    expect(atLimit.status).toBe(409); // read, parsed, and handed to the custodian
    expect((await atLimit.json()) as unknown).toMatchObject({ error: { message: 'reached' } });
    const above = await handle(post(exact(LIMIT + 1)));
    expect(above.status).toBe(413);
  });
});

describe("agora stake serve's Node adapter", () => {
  let server: Server;
  let port: number;
  let received = 0;
  beforeAll(async () => {
    // The adapter `agora stake serve` runs, counting the bytes the socket delivered to it.
    server = createServer((req, res) => {
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      handle(fetchRequestOf(req, 'http://127.0.0.1')).then((response) => {
        closeUnread(req, res);
        return writeFetchResponse(response, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers 413 to an endless chunked body and drops the connection, having read about the limit', async () => {
    received = 0;
    let status = 0;
    // Ends when the connection does: the server closing it is what stops the gigabyte below.
    await new Promise<void>((resolve) => {
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/v1/stake/claim' });
      req.on('response', (res) => {
        status = res.statusCode ?? 0;
        res.resume();
      });
      req.on('error', () => req.destroy()); // EPIPE / ECONNRESET once the server hangs up
      req.on('close', resolve);
      const chunk = Buffer.alloc(LIMIT, 0x20);
      // Writes until the server stops reading: 1 GiB would never end if it read everything.
      let written = 0;
      const pump = () => {
        while (written < 1024 * 1024 * 1024 && !req.destroyed) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      pump();
    });
    expect(status).toBe(413);
    // The limit plus what the kernel and Node buffered before the pause: far below the gigabyte offered.
    expect(received).toBeLessThanOrEqual(16 * LIMIT);
  });
});
