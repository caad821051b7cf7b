/** src/core/redact.ts: the one module that keeps secrets out of messages, debug lines and key displays. */
import { describe, expect, it } from 'vitest';
import { maskKey, redact, redactSecrets } from '../../../src/core/redact.js';

const JWT = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln';

describe('redactSecrets (error messages)', () => {
  it('removes a known secret, bearer values, JWTs and sk- keys, and keeps the rest', () => {
    const msg = `Incorrect API key provided: my-secret-value-123. Bearer abc.def ${JWT} sk-proj-ABCDEF123`;
    expect(redactSecrets(msg, ['my-secret-value-123'])).toBe(
      'Incorrect API key provided: [REDACTED]. Bearer [REDACTED] [REDACTED_JWT] sk-[REDACTED]',
    );
  });

  it('ignores known values too short to be secrets', () => {
    expect(redactSecrets('the key abc is wrong', ['abc'])).toBe('the key abc is wrong');
  });
});

describe('redact (debug lines)', () => {
  it.each([
    ['authorization: Bearer tok.en-1', 'authorization: Bearer [REDACTED]'],
    ['{"authorization":"Bearer x"}', '{"authorization":"Bearer [REDACTED]"}'],
    ['refresh_token=rt_123&client_id=app', 'refresh_token=[REDACTED]&client_id=app'],
    ['{"code_verifier":"v-1","access_token":"a"}', '{"code_verifier":"[REDACTED]","access_token":"[REDACTED]"}'],
    [`id ${JWT}`, 'id [REDACTED_JWT]'],
    ['key sk-abcdef1234', 'key sk-[REDACTED]'],
  ])('%s', (line, expected) => {
    expect(redact(line)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    expect(redact('POST https://chatgpt.com/backend-api/codex/responses 200 in 312 ms')).toBe(
      'POST https://chatgpt.com/backend-api/codex/responses 200 in 312 ms',
    );
  });
});

describe('maskKey (key displays)', () => {
  it('shows the first 8 and the last 5 characters of a long key, nothing of a short one', () => {
    expect(maskKey('sk-proj-abcdefghijklmnop')).toBe('sk-proj-***lmnop');
    expect(maskKey('sk-1234567890')).toBe('***');
  });
});
