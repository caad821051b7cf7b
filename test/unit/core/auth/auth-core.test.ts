/** Unit tests of the sign-in building blocks (docs/protocol.md §a.1-a.4, §b, §d.1, §d.3). */
import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, encodeStrict } from '../../../../src/core/auth/authorize-url.js';
import { judgeCallback } from '../../../../src/core/auth/callback.js';
import { pollIntervalMs } from '../../../../src/core/auth/device-login.js';
import { generatePkce, generateState, s256 } from '../../../../src/core/auth/pkce.js';
import { checkPlan } from '../../../../src/core/auth/plan.js';
import { isPermanentRefreshCode, tokenErrorCode, tokenErrorDetail } from '../../../../src/core/auth/token-endpoint.js';
import { isExpired, needsRefresh } from '../../../../src/core/auth/token-manager.js';
import { browserSkipReason } from '../../../../src/cli/auth/browser.js';
import { chatgptClaims, makeJwt } from '../../../helpers/tokens.js';

describe('PKCE and state', () => {
  it('matches the RFC 7636 appendix B example', () => {
    expect(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
  it('has the sizes of protocol.md a.1', () => {
    const p = generatePkce();
    expect(p.verifier).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(p.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s256(p.verifier)).toBe(p.challenge);
    expect(generateState()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateState()).not.toBe(generateState());
  });
});

describe('authorize URL (a.2)', () => {
  it('has every parameter in order with %20 encoding', () => {
    const url = buildAuthorizeUrl({
      authorizeEndpoint: 'https://auth.openai.com/oauth/authorize',
      redirectUri: 'http://localhost:1455/auth/callback',
      codeChallenge: 'C'.repeat(43),
      state: 'S'.repeat(43),
    });
    expect(url).toBe(
      'https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback' +
        '&scope=openid%20profile%20email%20offline_access%20api.connectors.read%20api.connectors.invoke' +
        `&code_challenge=${'C'.repeat(43)}&code_challenge_method=S256&id_token_add_organizations=true&codex_cli_simplified_flow=true&state=${'S'.repeat(43)}&originator=codex_cli_rs`,
    );
  });
  it('encodes everything but unreserved characters', () => {
    expect(encodeStrict("a b!'()*~._-")).toBe('a%20b%21%27%28%29%2A~._-');
  });
});

describe('callback judgement (a.4)', () => {
  const q = (s: string) => new URLSearchParams(s);
  it('ignores a wrong or missing state', () => {
    expect(judgeCallback(q('code=c&state=bad'), 'good').kind).toBe('state_mismatch');
    expect(judgeCallback(q('code=c'), 'good').kind).toBe('state_mismatch');
  });
  it('fails on error and on a missing code; accepts extra parameters', () => {
    const denied = judgeCallback(q('error=access_denied&state=s'), 's');
    expect(denied.kind === 'error' && denied.error.code).toBe('access_denied');
    const ent = judgeCallback(q('error=access_denied&error_description=Missing_Codex_Entitlement&state=s'), 's');
    expect(ent.kind === 'error' && ent.error.code).toBe('missing_codex_entitlement');
    const none = judgeCallback(q('state=s&code='), 's');
    expect(none.kind === 'error' && none.error.code).toBe('missing_authorization_code');
    expect(judgeCallback(q('code=abc&scope=openid&state=s'), 's')).toEqual({ kind: 'code', code: 'abc' });
  });
});

describe('refresh timing (d.1)', () => {
  const tokens = (exp: number | undefined, lastRefresh: string) => ({
    id_token: makeJwt(chatgptClaims()),
    access_token: makeJwt(exp === undefined ? { sub: 'x' } : { exp }),
    refresh_token: 'rt',
    account_id: null,
    last_refresh: lastRefresh,
  });
  const now = Date.parse('2026-06-01T00:00:00Z');
  const s = now / 1000;
  it('refreshes within 5 minutes of exp, not before', () => {
    expect(needsRefresh(tokens(s + 301, ''), now)).toBe(false);
    expect(needsRefresh(tokens(s + 299, ''), now)).toBe(true);
    expect(needsRefresh(tokens(s - 1, ''), now)).toBe(true);
    expect(isExpired(tokens(s - 1, ''), now)).toBe(true);
    expect(isExpired(tokens(s + 10, ''), now)).toBe(false);
  });
  it('falls back to last_refresh older than 8 days without exp', () => {
    expect(needsRefresh(tokens(undefined, new Date(now - 9 * 86400_000).toISOString()), now)).toBe(true);
    expect(needsRefresh(tokens(undefined, new Date(now - 7 * 86400_000).toISOString()), now)).toBe(false);
    expect(needsRefresh(tokens(undefined, ''), now)).toBe(false);
  });
});

describe('token endpoint errors (d.3)', () => {
  it('extracts codes in the documented order', () => {
    expect(tokenErrorCode('{"error":{"code":"Refresh_Token_Reused","message":"m"}}')).toBe('refresh_token_reused');
    expect(tokenErrorCode('{"error":"invalid_grant"}')).toBe('invalid_grant');
    expect(tokenErrorCode('{"code":"token_expired"}')).toBe('token_expired');
    expect(tokenErrorCode('oops')).toBeUndefined();
    expect(tokenErrorDetail('{"error_description":"bad code","error":"invalid_grant"}')).toBe('bad code');
    expect(tokenErrorDetail('')).toBe('unknown error');
  });
  it('classifies permanent codes', () => {
    for (const c of [
      'refresh_token_expired',
      'refresh_token_reused',
      'refresh_token_invalidated',
      'invalid_grant',
      'token_expired',
    ])
      expect(isPermanentRefreshCode(c)).toBe(true);
    expect(isPermanentRefreshCode('server_error')).toBe(false);
  });
});

describe('device polling interval (b)', () => {
  it('is at least one second', () => {
    expect(pollIntervalMs('5')).toBe(5000);
    expect(pollIntervalMs(' 2 ')).toBe(2000);
    expect(pollIntervalMs('0')).toBe(1000);
    expect(pollIntervalMs(undefined)).toBe(1000);
    expect(pollIntervalMs('junk')).toBe(1000);
  });
});

describe('plan gating', () => {
  it('refuses free, accepts paid and unknown plans', () => {
    expect(() => checkPlan(makeJwt(chatgptClaims({ plan: 'free' })))).toThrow(/plan "free".*paid ChatGPT plan/);
    expect(() => checkPlan(makeJwt(chatgptClaims({ plan: 'FREE' })))).toThrow(/free/);
    expect(checkPlan(makeJwt(chatgptClaims({ plan: 'pro' })))).toEqual({ plan: 'pro', known: true });
    expect(checkPlan(makeJwt(chatgptClaims({ plan: 'ultra' })))).toEqual({ plan: 'ultra', known: false });
  });
});

describe('browser opening (B03)', () => {
  it('skips without a display, over SSH, in CI and with --no-browser; BROWSER wins', () => {
    expect(browserSkipReason({}, false, 'linux')).toBe('--no-browser');
    expect(browserSkipReason({}, true, 'linux')).toBe('no display');
    expect(browserSkipReason({ DISPLAY: ':0' }, true, 'linux')).toBeUndefined();
    expect(browserSkipReason({ DISPLAY: ':0', SSH_CONNECTION: '1 2 3 4' }, true, 'linux')).toBe('SSH session');
    expect(browserSkipReason({ DISPLAY: ':0', CI: 'true' }, true, 'linux')).toBe('CI');
    expect(browserSkipReason({ BROWSER: 'w3m' }, true, 'linux')).toBeUndefined();
    expect(browserSkipReason({}, true, 'darwin')).toBeUndefined();
  });
});
