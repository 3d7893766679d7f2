import { createServer } from 'node:net';
import { expect } from 'vitest';
import { type AgoraError, isAgoraError } from '../src/core/index.js';

/** Runs `action`, expects it to throw an AgoraError (with `code`, if given) and returns it. */
export function thrownAgoraError(action: () => unknown, code?: string): AgoraError {
  try {
    action();
  } catch (error) {
    expect(isAgoraError(error), String(error)).toBe(true);
    if (code !== undefined) expect((error as AgoraError).code).toBe(code);
    return error as AgoraError;
  }
  throw new Error('expected an AgoraError, nothing was thrown');
}

/** Awaits `promise`, expects it to reject with an AgoraError (with `code`, if given) and returns it. */
export async function rejectedAgoraError(promise: Promise<unknown>, code?: string): Promise<AgoraError> {
  try {
    await promise;
  } catch (error) {
    expect(isAgoraError(error), String(error)).toBe(true);
    if (code !== undefined) expect((error as AgoraError).code).toBe(code);
    return error as AgoraError;
  }
  throw new Error('expected a rejection with an AgoraError');
}

/** A TCP port free on 127.0.0.1 a moment ago (for a server a test starts by port number). */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
