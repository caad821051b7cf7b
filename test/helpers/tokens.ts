/**
 * Unsigned JWTs and credential files for tests (test/fixtures/jwt/README.md claim layout).
 */
import { writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import path from 'node:path';

/** Builds `base64url(header).base64url(payload).sig` with `alg: none`. */
export function makeJwt(payload: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.c2ln`;
}

/** Claims of a ChatGPT token for `plan` and `accountId`, expiring at `exp` (s since epoch). */
export function chatgptClaims(
  opts: { plan?: string; accountId?: string; exp?: number; email?: string } = {},
): Record<string, unknown> {
  return {
    email: opts.email ?? 'plus.user@example.com',
    exp: opts.exp ?? Math.floor(Date.now() / 1000) + 3600,
    'https://api.openai.com/auth': {
      chatgpt_account_id: opts.accountId ?? 'acct-test-1',
      chatgpt_plan_type: opts.plan ?? 'plus',
      chatgpt_user_id: 'user-test-1',
    },
  };
}

/** Writes a ChatGPT sign-in into `home/credentials.json` (mode 0600); @returns the access token. */
export function writeChatGPTCredentials(
  home: string,
  opts: { accessToken?: string; refreshToken?: string; accountId?: string; exp?: number; plan?: string } = {},
): string {
  const accountId = opts.accountId ?? 'acct-test-1';
  const access = opts.accessToken ?? makeJwt(chatgptClaims({ accountId, exp: opts.exp, plan: opts.plan }));
  const id = makeJwt(chatgptClaims({ accountId, plan: opts.plan }));
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, 'credentials.json');
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      chatgpt: {
        id_token: id,
        access_token: access,
        refresh_token: opts.refreshToken ?? 'rt_test_1',
        account_id: accountId,
        last_refresh: new Date().toISOString(),
      },
    }),
    { mode: 0o600 },
  );
  chmodSync(file, 0o600);
  return access;
}
