/**
 * Conformance with a certified OpenID Connect server: `oidc-provider` on 127.0.0.1, configured as
 * the issuer of a public client (our client id, PKCE S256 required, rotating single-use refresh
 * tokens, JWT access tokens) that adds the `https://api.openai.com/auth` claim to the id_token and
 * the access token. The real binary signs in through it (the test plays the browser, with cookies,
 * and an interaction endpoint that approves at once), then runs with tokens that expire within the
 * 5-minute window, so every run refreshes against it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { textAnswer } from '../fakes/sse-events.js';
import { exited, freePort, live, toIPv4, waitForStderr } from '../helpers/auth.js';
import { runCli, spawnCli, tempDir } from '../helpers/cli.js';

// oidc-provider warns (console.warn, partly while it is imported: hence hoisted above the imports)
// that Node 20 is not its supported runtime and that its in-memory adapter and signing keys are for
// development only. A test-only issuer on 127.0.0.1 is exactly that, so these three notices would
// only be noise in `npm test`; any other warning still prints.
vi.hoisted(() => {
  const warn = console.warn.bind(console);
  const expected =
    /oidc-provider WARNING: (Unsupported runtime|a quick start development-only in-memory adapter|quick start development-only signing keys)/;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && expected.test(args[0])) return;
    warn(...args);
  };
});

const CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
const AUTH = 'https://api.openai.com/auth';
const RESOURCE = 'https://api.openai.test';
const authClaim = { chatgpt_account_id: 'acct-oidc-1', chatgpt_plan_type: 'pro', chatgpt_user_id: 'user-oidc-1' };

let server: http.Server;
let issuerUrl: string;
let port: number;
let backend: FakeBackend;
let home: { dir: string; cleanup: () => void };

function decode(token: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  home = tempDir();
  port = await freePort();
  const issuerPort = await freePort();
  issuerUrl = `http://127.0.0.1:${issuerPort}`;
  const provider = new Provider(issuerUrl, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`http://localhost:${port}/auth/callback`],
      },
    ],
    routes: { authorization: '/oauth/authorize', token: '/oauth/token', revocation: '/oauth/revoke' },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'api.connectors.read', 'api.connectors.invoke'],
    claims: { openid: ['sub', AUTH], email: ['email', 'email_verified'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['test-cookie-key'] },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 120,
      IdToken: 3600,
      RefreshToken: 86400,
      Grant: 86400,
      Session: 86400,
      Interaction: 600,
      AuthorizationCode: 60,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api.connectors.read api.connectors.invoke',
          audience: RESOURCE,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 120,
        }),
      },
    },
    // OIDC Core drops offline_access unless prompt=consent is sent; Codex's authorize URL (a.2)
    // does not send it and OpenAI's issuer still returns a refresh token, so the test server does too.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    extraTokenClaims: async () => ({ [AUTH]: authClaim }),
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: 'oidc.user@example.com', email_verified: true, [AUTH]: authClaim }),
    }),
  });
  const callback = provider.callback();
  server = http.createServer(async (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      // approve at once: log the user in and grant every requested scope and the resource
      try {
        const details = await provider.interactionDetails(req, res);
        const grant = new provider.Grant({ accountId: 'user-oidc-1', clientId: CLIENT_ID });
        grant.addOIDCScope(String(details.params.scope));
        grant.addResourceScope(RESOURCE, 'api.connectors.read api.connectors.invoke');
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: 'user-oidc-1' }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
      return;
    }
    callback(req, res);
  });
  await new Promise<void>((r) => server.listen(issuerPort, '127.0.0.1', r));
  expect((server.address() as AddressInfo).port).toBe(issuerPort);
  backend = await startFakeBackend({
    chatgptTokens: (t) => {
      const p = decode(t);
      return (
        p !== undefined &&
        p.iss === issuerUrl &&
        typeof p.exp === 'number' &&
        p.exp * 1000 > Date.now() &&
        (p[AUTH] as { chatgpt_account_id?: string })?.chatgpt_account_id === 'acct-oidc-1'
      );
    },
    accountId: 'acct-oidc-1',
    fallback: { kind: 'sse', events: textAnswer('hello') },
  });
});

afterAll(async () => {
  await backend?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  home?.cleanup();
});

/** A tiny browser with a cookie jar that follows redirects until it reaches the loopback callback. */
async function browse(start: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = start;
  for (let i = 0; i < 10; i++) {
    const res = await fetch(toIPv4(url), {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`no redirect from ${url}: ${res.status} ${await res.text()}`);
    url = new URL(loc, url).toString();
    if (url.includes('/auth/callback')) {
      const cb = await fetch(toIPv4(url), { redirect: 'manual' });
      return cb.status === 302
        ? `${cb.status} ${cb.headers.get('location')}`
        : `${cb.status} ${await cb.text()} ${url}`;
    }
  }
  throw new Error('too many redirects');
}

const env = () => ({
  KOLEGA_HOME: home.dir,
  KOLEGA_AUTH_ISSUER: issuerUrl,
  KOLEGA_CHATGPT_BASE_URL: backend.chatgptBaseUrl,
});
const file = () => path.join(home.dir, 'credentials.json');

describe.sequential('oidc-provider conformance', () => {
  it('signs in with authorization code + PKCE (S256) against oidc-provider', async () => {
    const child = spawnCli(['auth', 'login', 'chatgpt', '--port', String(port), '--timeout', '30'], { env: env() });
    const out = live(child);
    const m = await waitForStderr(out, /^(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)$/m);
    expect(await browse(m[1]!)).toBe('302 /success');
    const { code } = await exited(child);
    expect(out.stderr).toMatch(/signed in with ChatGPT \(oidc\.user@example\.com, plan pro\)/);
    expect(code).toBe(0);
    const c = JSON.parse(readFileSync(file(), 'utf8')).chatgpt;
    expect(c.account_id).toBe('acct-oidc-1');
    expect(decode(c.access_token)?.iss).toBe(issuerUrl);
    expect(c.refresh_token).toBeTruthy();
  });

  it('refreshes with the rotating refresh token on every run (access tokens live 2 minutes)', async () => {
    const first = JSON.parse(readFileSync(file(), 'utf8')).chatgpt;
    const r1 = await runCli(['run', 'hi'], { env: env() });
    expect(r1.stderr).toBe('');
    expect(r1.stdout).toBe('hello\n');
    expect(r1.code).toBe(0);
    const second = JSON.parse(readFileSync(file(), 'utf8')).chatgpt;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    const r2 = await runCli(['run', 'hi'], { env: env() });
    expect(r2.code).toBe(0);
    const third = JSON.parse(readFileSync(file(), 'utf8')).chatgpt;
    expect(third.refresh_token).not.toBe(second.refresh_token);

    // replaying a rotated refresh token is refused by the server: a permanent failure. While the
    // access token still works the run goes on with one warning; once it has expired, exit 3.
    const doc = JSON.parse(readFileSync(file(), 'utf8'));
    doc.chatgpt.refresh_token = first.refresh_token;
    doc.chatgpt.access_token = first.access_token;
    writeFileSync(file(), JSON.stringify(doc), { mode: 0o600 });
    const r3 = await runCli(['run', 'hi'], { env: env() });
    expect([r3.code, r3.stdout]).toEqual([0, 'hello\n']);
    expect(r3.stderr).toMatch(
      /^kolega: the ChatGPT session could not be renewed .*sign in again: kolega auth login chatgpt\n$/,
    );
    const expired = { ...decode(first.access_token)!, exp: Math.floor(Date.now() / 1000) - 60 };
    const [head, , sig] = (first.access_token as string).split('.');
    doc.chatgpt.access_token = `${head}.${Buffer.from(JSON.stringify(expired)).toString('base64url')}.${sig}`;
    writeFileSync(file(), JSON.stringify(doc), { mode: 0o600 });
    const r4 = await runCli(['run', 'hi'], { env: env() });
    expect(r4.code).toBe(3);
    expect(r4.stderr).toMatch(/kolega auth login chatgpt/);
  });
});
