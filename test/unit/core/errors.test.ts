/** copyError (src/core/errors.ts): a changed copy keeps every field it is not told to change, `cause` included. */
import { describe, expect, it } from 'vitest';
import { KolegaError, copyError, isKolegaError } from '../../../src/core/errors.js';

const root = new Error('socket hang up');
const original = new KolegaError('quota', 'rate_limited', 'rate limited (429): slow down', {
  hint: 'wait a moment and retry',
  httpStatus: 429,
  retryAfterSeconds: 2,
  resetsAt: 1_800_000_000,
  retryable: true,
  retryDelayMs: 1500,
  requestId: 'req_123',
  alreadyShown: true,
  cause: root,
});

const fields = (e: KolegaError) => ({
  exitClass: e.exitClass,
  code: e.code,
  message: e.message,
  hint: e.hint,
  httpStatus: e.httpStatus,
  retryAfterSeconds: e.retryAfterSeconds,
  resetsAt: e.resetsAt,
  retryable: e.retryable,
  retryDelayMs: e.retryDelayMs,
  requestId: e.requestId,
  alreadyShown: e.alreadyShown,
  cause: (e as { cause?: unknown }).cause,
});

describe('copyError', () => {
  it('keeps every field and the cause when nothing changes, as a new object', () => {
    const copy = copyError(original);
    expect(copy).not.toBe(original);
    expect(isKolegaError(copy)).toBe(true);
    expect(fields(copy)).toEqual(fields(original));
    expect((copy as { cause?: unknown }).cause).toBe(root);
  });

  it('changes only what it is told to', () => {
    const copy = copyError(original, { message: 'rate limited (429): [redacted]', hint: 'later' });
    expect(fields(copy)).toEqual({ ...fields(original), message: 'rate limited (429): [redacted]', hint: 'later' });
  });

  it('can change the class and code, and clear a field explicitly', () => {
    const copy = copyError(original, {
      exitClass: 'auth',
      code: 'refresh_failed',
      retryable: false,
      retryDelayMs: undefined,
    });
    expect(fields(copy)).toEqual({
      ...fields(original),
      exitClass: 'auth',
      code: 'refresh_failed',
      retryable: false,
      retryDelayMs: undefined,
    });
  });

  it('can wrap the original as the cause', () => {
    const copy = copyError(original, { cause: original });
    expect((copy as { cause?: unknown }).cause).toBe(original);
  });

  it('copies an error without a cause without inventing one', () => {
    const copy = copyError(new KolegaError('upstream', 'http_400', 'bad'));
    expect('cause' in copy).toBe(false);
  });
});
