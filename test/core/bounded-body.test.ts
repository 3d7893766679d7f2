import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isAgoraError, readBoundedBody } from '../../src/core/index.js';

/** A request whose chunked body yields `chunks`, counting how many of them were pulled. */
function chunked(chunks: Uint8Array[], headers: Record<string, string> = {}) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[pulled];
      if (chunk === undefined) return controller.close();
      pulled++;
      controller.enqueue(chunk);
    },
  });
  const request = new Request('http://127.0.0.1/', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit);
  return { request, pulled: () => pulled };
}

describe('readBoundedBody', () => {
  it('returns the body whole up to the limit, refuses it above, and pulls at most one chunk past the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }),
        fc.nat({ max: 400 }),
        async (chunks, limit) => {
          const { request, pulled } = chunked(chunks);
          const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
          const outcome = await readBoundedBody(request, limit).catch((error: unknown) => error);
          if (total <= limit) {
            expect(outcome).toEqual(Uint8Array.from(chunks.flatMap((chunk) => [...chunk])));
          } else {
            expect(isAgoraError(outcome, ErrorCode.BodyTooLarge)).toBe(true);
            // Reading stopped at the first chunk that crossed the limit (+1: the stream pulls one ahead).
            let sum = 0;
            let crossing = 0;
            while (sum <= limit) sum += (chunks[crossing++] as Uint8Array).length;
            expect(pulled()).toBeLessThanOrEqual(crossing + 1);
          }
        },
      ),
    );
  });

  it('refuses a declared content-length above the limit before reading a byte', async () => {
    const { request } = chunked([new Uint8Array(10)], { 'content-length': '99999999999999999999' });
    const error = await readBoundedBody(request, 1024).catch((e: unknown) => e);
    expect(isAgoraError(error, ErrorCode.BodyTooLarge)).toBe(true);
    expect((error as Error).message).toBe('the request body is larger than 1024 bytes');
  });

  it('reads an empty body as no bytes', async () => {
    expect(await readBoundedBody(new Request('http://127.0.0.1/'), 0)).toEqual(new Uint8Array(0));
  });
});
