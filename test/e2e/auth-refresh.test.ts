/**
 * Token refresh end to end (docs/protocol.md §d; cases B06, B07, B09, B10, B38e): the real binary
 * against the strict fake issuer (rotating single-use refresh tokens) and a backend that accepts only
 * unexpired access tokens this issuer issued.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend, type Step } from '../fakes/backend.js';
import { startFakeIssuer, type FakeIssuer, type FakeIssuerOptions } from '../fakes/issuer.js';
import { textAnswer } from '../fakes/sse-events.js';
import { collect, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';

let home: { dir: string; cleanup: () => void };
let issuer: FakeIssuer;
let backend: FakeBackend;

const hello: Step = { kind: 'sse', events: textAnswer('hello') };

async function setup(
  issuerOpts: FakeIssuerOptions = {},
  backendSteps: Step[] = [],
  fallback: Step = hello,
): Promise<void> {
  issuer = await startFakeIssuer(issuerOpts);
  backend = await startFakeBackend({
    chatgptTokens: (t) => issuer.isValidAccessToken(t),
    accountId: 'acct-fake-1',
    steps: backendSteps,
    fallback,
  });
}

beforeEach(() => {
  home = tempDir();
});
afterEach(async () => {
  await backend?.close();
  await issuer?.close();
  home.cleanup();
});

const env = (extra: Record<string, string> = {}) => ({
  KOLEGA_HOME: home.dir,
  KOLEGA_AUTH_ISSUER: issuer.url,
  KOLEGA_CHATGPT_BASE_URL: backend.chatgptBaseUrl,
  ...extra,
});
const credsFile = () => path.join(home.dir, 'credentials.json');
const readCreds = () => JSON.parse(readFileSync(credsFile(), 'utf8')) as { chatgpt: Record<string, string> };

describe('proactive refresh', () => {
  it('refreshes an expired access token once, stores the rotated tokens 0600, and runs', async () => {
    await setup();
    const old = issuer.writeSession(home.dir, { expired: true });
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello\n');
    expect(r.code).toBe(0);
    expect(issuer.refreshCount).toBe(1);
    const refresh = issuer.requests.find((q) => q.body.grant_type === 'refresh_token')!;
    expect(refresh.body.client_id).toBe('app_EMoamEEZ73f0CkXaXp7hrann');
    const c = readCreds().chatgpt;
    expect(c.refresh_token).not.toBe(old.refresh_token);
    expect(c.access_token).not.toBe(old.access_token);
    expect(c.account_id).toBe('acct-fake-1');
    expect(statSync(credsFile()).mode & 0o777).toBe(0o600);
  });

  it('keeps stdout pure NDJSON while refreshing (B28)', async () => {
    await setup();
    issuer.writeSession(home.dir, { expired: true });
    const r = await runCli(['run', '--json', 'hi'], { env: env() });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events.at(-1)!.type).toBe('turn.completed');
    expect(issuer.refreshCount).toBe(1);
  });

  it('a permanent refresh failure ends NDJSON with turn.failed (exit 3)', async () => {
    await setup({ refreshFaults: [{ status: 400, body: { error: 'invalid_grant' } }] });
    issuer.writeSession(home.dir, { expired: true });
    const r = await runCli(['run', '--json', 'hi'], { env: env() });
    expect(r.code).toBe(3);
    const events = parseEvents(r.stdout);
    const last = events.at(-1)!;
    if (events.length > 0) expect(last.type).toBe('turn.failed');
  });

  it('does not refresh a token that is valid for more than 5 minutes', async () => {
    await setup();
    issuer.writeSession(home.dir);
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(0);
    expect(issuer.refreshCount).toBe(0);
  });

  it('refreshes a token that expires within 5 minutes', async () => {
    await setup({ accessTtlSeconds: 120 });
    issuer.writeSession(home.dir);
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(0);
    expect(issuer.refreshCount).toBe(1);
  });

  it.each([2, 10])(
    '%i concurrent runs with an expired token cause exactly one refresh and all succeed (B07)',
    async (n) => {
      await setup({ tokenLatencyMs: 300 });
      issuer.writeSession(home.dir, { expired: true });
      const results = await Promise.all(
        Array.from({ length: n }, () => runCli(['run', 'hi'], { env: env(), killAfterMs: 60_000 })),
      );
      for (const r of results) {
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe('hello\n');
        expect(r.code).toBe(0);
      }
      expect(issuer.refreshCount).toBe(1);
      const c = readCreds().chatgpt;
      expect(issuer.isValidAccessToken(c.access_token!)).toBe(true);
      expect(statSync(credsFile()).mode & 0o777).toBe(0o600);
      // no lock or temporary file left behind (each run also recorded its session)
      expect(readdirSync(home.dir).sort()).toEqual(['credentials.json', 'sessions']);
      expect(readdirSync(path.join(home.dir, 'sessions')).filter((f) => !f.endsWith('.jsonl'))).toEqual([]);
    },
    90_000,
  );

  it('retries transient token-endpoint failures (5xx, reset) with backoff, then succeeds', async () => {
    await setup({ refreshFaults: [{ status: 503, body: { error: 'unavailable' } }, { reset: true }] });
    issuer.writeSession(home.dir, { expired: true });
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hello\n');
    expect(issuer.refreshCount).toBe(3);
  });

  it('gives up after a few transient failures with the UPSTREAM class, keeping the credentials', async () => {
    await setup({ refreshFaults: Array.from({ length: 10 }, () => ({ status: 500, body: { error: 'boom' } })) });
    issuer.writeSession(home.dir, { expired: true });
    const before = readFileSync(credsFile(), 'utf8');
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(5);
    expect(issuer.refreshCount).toBe(3);
    expect(backend.requests).toHaveLength(0);
    expect(readFileSync(credsFile(), 'utf8')).toBe(before);
  });
});

describe('transient refresh failures', () => {
  it('connection resets only: retried, then the NET class (exit 6)', async () => {
    await setup({ refreshFaults: [{ reset: true }, { reset: true }, { reset: true }, { reset: true }] });
    issuer.writeSession(home.dir, { expired: true });
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(6);
    expect(issuer.refreshCount).toBe(3);
    expect(readCreds().chatgpt.refresh_failure).toBeUndefined();
  });

  it('a token that is about to expire but still valid is used when the refresh fails transiently', async () => {
    await setup({
      accessTtlSeconds: 120,
      refreshFaults: [
        { status: 502, body: {} },
        { status: 502, body: {} },
        { status: 502, body: {} },
      ],
    });
    const t = issuer.writeSession(home.dir);
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hello\n');
    expect(issuer.refreshCount).toBe(3);
    expect(backend.requests[0]!.headers.authorization).toBe(`Bearer ${t.access_token}`);
  });
});

describe('permanent refresh failures (B09)', () => {
  it.each([
    ['401 token_expired', { status: 401, body: { error: { code: 'token_expired' } } }],
    ['400 invalid_grant', { status: 400, body: { error: 'invalid_grant' } }],
    ['401 refresh_token_invalidated', { status: 401, body: { error: { code: 'refresh_token_invalidated' } } }],
    ['400 refresh_token_reused', { status: 400, body: { error: { code: 'refresh_token_reused' } } }],
  ])(
    '%s: one POST, exit 3 with a sign-in hint, file kept, status says needs re-login, next run makes no POST',
    async (_n, fault) => {
      await setup({ refreshFaults: [fault] });
      const t = issuer.writeSession(home.dir, { expired: true });
      const r = await runCli(['run', 'hi'], { env: env() });
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/kolega auth login/);
      expect(issuer.refreshCount).toBe(1);
      expect(readCreds().chatgpt.refresh_token).toBe(t.refresh_token);
      const st = await runCli(['auth', 'status'], { env: env() });
      expect(st.code).toBe(3);
      expect(st.stdout).toMatch(/needs a new sign-in/);
      const again = await runCli(['run', 'hi'], { env: env() });
      expect(again.code).toBe(3);
      expect(issuer.refreshCount).toBe(1);
    },
  );

  it.each([
    ['an empty refresh token', ''],
    ['no refresh token', null],
  ])('%s: zero POSTs, exit 3', async (_n, rt) => {
    await setup();
    issuer.writeSession(home.dir, { expired: true, refreshToken: rt });
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/kolega auth login/);
    expect(issuer.refreshCount).toBe(0);
  });

  it('a reused refresh token (consumed elsewhere) exits 3 with a hint and never loops', async () => {
    await setup();
    const t = issuer.writeSession(home.dir, { expired: true });
    // another tool uses the refresh token first and keeps the result to itself
    const other = await fetch(`${issuer.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: t.refresh_token,
        client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      }),
    });
    expect(other.status).toBe(200);
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/already used/);
    expect(r.stderr).toMatch(/sign in again: kolega auth login chatgpt/);
    expect(issuer.refreshCount).toBe(2);
  });

  it('when the issuer says "reused" because another tool rotated the file meanwhile, the newer tokens are used (B07)', async () => {
    await setup({ refreshFaults: [{ status: 401, body: { error: { code: 'refresh_token_reused' } }, delayMs: 3000 }] });
    issuer.writeSession(home.dir, { expired: true });
    const child = spawnCli(['run', 'hi'], { env: env() });
    const result = collect(child);
    const started = Date.now();
    while (issuer.refreshCount === 0 && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 20));
    const foreign = issuer.writeSession(home.dir); // a writer that ignores the lock
    const r = await result;
    expect(r.stdout).toBe('hello\n');
    expect(r.code).toBe(0);
    expect(issuer.refreshCount).toBe(1);
    expect(readCreds().chatgpt.refresh_token).toBe(foreign.refresh_token);
    expect(readCreds().chatgpt.refresh_failure).toBeUndefined();
  });

  it('a CI run with dead credentials never starts a sign-in and ends fast (B06)', async () => {
    await setup({ refreshFaults: [{ status: 400, body: { error: 'invalid_grant' } }] });
    issuer.writeSession(home.dir, { expired: true });
    const r = await runCli(['run', 'hi'], { env: env({ CI: 'true' }), stdin: null });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/expired/);
    expect(r.stderr).toMatch(/kolega auth login/);
    expect(r.stderr).not.toMatch(/oauth\/authorize|listening|paste/);
    expect(issuer.requests.filter((q) => q.path === '/oauth/authorize')).toHaveLength(0);
    expect(r.ms).toBeLessThan(15_000); // no hang (generous: CI machines are loaded)
  });
});

describe('401 recovery (B10)', () => {
  it('a 401 on a locally valid token: re-read, refresh once, re-send once, succeed', async () => {
    await setup({}, [{ kind: 'http', status: 401, body: JSON.stringify({ detail: '(fixture) token revoked' }) }]);
    issuer.writeSession(home.dir);
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.stdout).toBe('hello\n');
    expect(r.code).toBe(0);
    expect(issuer.refreshCount).toBe(1);
    expect(backend.requests).toHaveLength(2);
    expect(backend.requests[1]!.headers.authorization).toBe(`Bearer ${readCreds().chatgpt.access_token}`);
  });

  it('a backend that always answers 401: exactly 2 requests and 1 refresh, then exit 3', async () => {
    await setup({}, [], { kind: 'http', status: 401, body: JSON.stringify({ detail: '(fixture) nope' }) });
    issuer.writeSession(home.dir);
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(3);
    expect(backend.requests).toHaveLength(2);
    expect(issuer.refreshCount).toBe(1);
  });

  it('a 401 after another process refreshed uses the stored tokens without a new refresh', async () => {
    await setup({}, [
      {
        kind: 'dynamic',
        respond: () => {
          // another process rotates the tokens while this request is in flight
          issuer.writeSession(home.dir);
          return { kind: 'http', status: 401, body: JSON.stringify({ detail: 'stale' }) };
        },
      },
    ]);
    issuer.writeSession(home.dir);
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(0);
    expect(issuer.refreshCount).toBe(0);
    expect(backend.requests).toHaveLength(2);
  });
});

describe('signals (B38e)', () => {
  it('SIGINT during a slow refresh exits 130, and the rotated tokens the issuer sent are stored whole', async () => {
    await setup({ refreshFaults: [{ delayMs: 3000 }] });
    const old = issuer.writeSession(home.dir, { expired: true });
    const child = spawnCli(['run', 'hi'], { env: env() });
    const result = collect(child);
    const started = Date.now();
    while (issuer.refreshCount === 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(issuer.refreshCount).toBe(1);
    child.kill('SIGINT');
    const r = await result;
    expect(r.code).toBe(130);
    const after = readCreds().chatgpt; // parses: whole
    // once sent, a refresh is read to its end: the issuer has retired the old refresh token
    expect(after.refresh_token).not.toBe(old.refresh_token);
    expect(issuer.isValidAccessToken(after.access_token!)).toBe(true);
    expect(statSync(credsFile()).mode & 0o777).toBe(0o600);
    expect(readdirSync(home.dir).sort()).toEqual(['credentials.json', 'sessions']);
    expect(readdirSync(path.join(home.dir, 'sessions')).filter((f) => !f.endsWith('.jsonl'))).toEqual([]);
  });
});
