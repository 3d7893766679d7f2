import { AgoraError, ErrorCode } from './errors.js';

/**
 * Reads a Fetch `Request`'s body, refusing it as soon as it is known to exceed `limit` bytes: at once when its
 * `content-length` says so, else (a chunked body) at the first chunk past the limit, whose stream is then canceled.
 * A server must never read, let alone buffer, more than it will accept: an unauthenticated caller could otherwise
 * stream gigabytes into it before the size check. Throws {@link ErrorCode.BodyTooLarge} with `details.limit`.
 */
export async function readBoundedBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  // A declared length is only a promise (the stream is still counted below), but a large one needs no reading.
  if (declared !== null && /^\d+$/.test(declared.trim()) && BigInt(declared.trim()) > BigInt(limit))
    throw tooLarge(limit);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Stop the sender: canceling tells the source (a socket, a generator) that nothing more will be read.
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

function tooLarge(limit: number): AgoraError {
  return new AgoraError(ErrorCode.BodyTooLarge, `the request body is larger than ${limit} bytes`, {
    details: { limit },
  });
}
