import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A `node:http` request as a Fetch `Request` whose body streams from the socket as it is read, never gathered
 * first, so the handler's bounded reader (`readBoundedBody`) decides how much is read. The declared
 * `content-length` is kept so that an oversized body is refused without reading any of it.
 */
export function fetchRequestOf(req: IncomingMessage, origin: string): Request {
  const method = req.method ?? 'GET';
  const length = req.headers['content-length'];
  return new Request(`${origin}${req.url ?? '/'}`, {
    method,
    ...(length === undefined ? {} : { headers: { 'content-length': length } }),
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: bodyOf(req), duplex: 'half' }),
  } as RequestInit);
}

/**
 * The request's body as a stream that pauses the socket while the reader is behind, and stops listening when the
 * reader cancels: no more is read from the sender (`closeUnread` then drops the connection).
 */
function bodyOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  // Set once the reader cancels: the socket's later events must not touch the canceled stream (close() throws).
  let canceled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          if (canceled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once('end', () => {
          if (!canceled) controller.close();
        });
        req.on('error', (error) => {
          if (!canceled) controller.error(error);
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        canceled = true;
        req.pause();
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * Asks Node to close the connection after `res` when the request's body was not read to its end (a refused
 * oversized body): keeping it alive would make Node read and discard the rest of the body, however long it is.
 * Call it before writing the response.
 */
export function closeUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete && !res.headersSent) res.setHeader('connection', 'close');
}
