/**
 * The sign-in wording (src/cli/auth/login-messages.ts, src/cli/auth/renewal-message.ts): the core
 * flows report data; these are the exact stderr lines users (and the end-to-end tests) read.
 */
import { describe, expect, it } from 'vitest';
import { formatSpan } from '../../../../src/core/auth/login-progress.js';
import { loginProgressLines } from '../../../../src/cli/auth/login-messages.js';
import { renewalWarningLine } from '../../../../src/cli/auth/renewal-message.js';

describe('loginProgressLines', () => {
  it('announces the browser URL with the port, the wait and the ways out', () => {
    expect(
      loginProgressLines({ type: 'browser_url', url: 'https://issuer/authorize?x=1', port: 1457, timeoutMs: 300_000 }),
    ).toEqual([
      'kolega: listening on http://localhost:1457 for the sign-in callback',
      'kolega: open this URL in a browser to sign in with ChatGPT:',
      'https://issuer/authorize?x=1',
      'kolega: waiting up to 300s. On a remote machine, forward the port first (ssh -L 1457:127.0.0.1:1457 <host>), ' +
        'paste the URL your browser ends up on here, or use --device-auth.',
    ]);
  });

  it('names a busy or refused port and the one used instead', () => {
    expect(loginProgressLines({ type: 'port_busy', port: 1455, using: 1457 })).toEqual([
      'kolega: port 1455 on 127.0.0.1 is in use; using port 1457 instead',
    ]);
    expect(loginProgressLines({ type: 'port_refused', port: 1455, code: 'EACCES', using: 1457 })).toEqual([
      'kolega: port 1455 on 127.0.0.1 was refused by the operating system (EACCES); using port 1457 instead',
    ]);
  });

  it('says why a pasted line was not used', () => {
    expect(loginProgressLines({ type: 'paste_not_url' })[0]).toMatch(/^kolega: that is not a URL; /);
    expect(loginProgressLines({ type: 'paste_not_callback', callbackPath: '/auth/callback' })).toEqual([
      'kolega: that is not the callback URL; paste the address the browser shows after sign-in (path /auth/callback)',
    ]);
    expect(loginProgressLines({ type: 'paste_state_mismatch' })).toEqual([
      'kolega: that URL belongs to another sign-in attempt (state mismatch); still waiting',
    ]);
  });

  it('shows the device code with its page and the wait', () => {
    expect(
      loginProgressLines({
        type: 'device_code',
        verificationUrl: 'https://issuer/codex/device',
        userCode: 'ABCD-1234',
        maxWaitMs: 900_000,
      }),
    ).toEqual([
      'kolega: to sign in with ChatGPT, open this page on any device:',
      'https://issuer/codex/device',
      'kolega: and enter the code: ABCD-1234',
      'kolega: waiting up to 15 minutes for you to enter the code. Never enter a code someone else sent you.',
    ]);
  });

  it('formats waits in whole minutes or seconds', () => {
    expect(formatSpan(900_000)).toBe('15 minutes');
    expect(formatSpan(5_000)).toBe('5s');
    expect(formatSpan(90_000)).toBe('90s');
  });
});

describe('renewalWarningLine', () => {
  const at = 1_800_000_000_000;
  it('asks for a new sign-in when the session cannot or could not be renewed', () => {
    expect(
      renewalWarningLine({
        kind: 'not_renewable',
        reason: 'no refresh token is stored',
        expiresAtMs: at + 600_000,
        atMs: at,
      }),
    ).toBe(
      'kolega: the ChatGPT session cannot be renewed (no refresh token is stored); the current token expires in 10 min; sign in again: kolega auth login chatgpt',
    );
    expect(renewalWarningLine({ kind: 'refused', reason: 'rejected', expiresAtMs: at + 10_000, atMs: at })).toBe(
      'kolega: the ChatGPT session could not be renewed (rejected); using the current token, which expires in 1 min; sign in again: kolega auth login chatgpt',
    );
  });

  it('only notes a transient failure, and a token without an expiry is "still valid"', () => {
    expect(renewalWarningLine({ kind: 'failed', reason: 'the token endpoint failed (502)', atMs: at })).toBe(
      'kolega: could not renew the ChatGPT session (the token endpoint failed (502)); using the current token, which is still valid',
    );
  });
});
