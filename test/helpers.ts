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
