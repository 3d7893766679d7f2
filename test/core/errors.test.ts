import { describe, expect, it, vi } from 'vitest';
import { AgoraError, ErrorCode, isAgoraError } from '../../src/core/index.js';

describe('isAgoraError', () => {
  it('recognizes an AgoraError, and its code', () => {
    const error = new AgoraError(ErrorCode.InvalidArgument, 'bad');
    expect(isAgoraError(error)).toBe(true);
    expect(isAgoraError(error, ErrorCode.InvalidArgument)).toBe(true);
    expect(isAgoraError(error, ErrorCode.InvalidEvent)).toBe(false);
  });

  it('recognizes an AgoraError thrown by another copy of the module (instanceof alone says no)', async () => {
    vi.resetModules();
    const other = (await import('../../src/core/errors.js')) as typeof import('../../src/core/errors.js');
    expect(other.AgoraError).not.toBe(AgoraError);
    const foreign = new other.AgoraError(ErrorCode.Usage, 'from the other copy');
    expect(foreign instanceof AgoraError).toBe(false);
    expect(isAgoraError(foreign, ErrorCode.Usage)).toBe(true);
    expect(other.isAgoraError(new AgoraError(ErrorCode.Usage, 'from this copy'))).toBe(true);
  });

  it('refuses look-alikes: a plain error named AgoraError, a branded one with an unknown code, a non-error', () => {
    const named = Object.assign(new Error('x'), { name: 'AgoraError', code: ErrorCode.Usage });
    expect(isAgoraError(named)).toBe(false);
    const unknownCode = new AgoraError(ErrorCode.Usage, 'x');
    (unknownCode as { code: string }).code = 'NOT_A_CODE';
    expect(isAgoraError(unknownCode)).toBe(false);
    expect(isAgoraError({ name: 'AgoraError', code: ErrorCode.Usage, message: 'x' })).toBe(false);
    expect(isAgoraError(undefined)).toBe(false);
    expect(isAgoraError('AgoraError')).toBe(false);
  });
});
