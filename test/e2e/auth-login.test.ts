/**
 * `kolega auth login chatgpt` end to end against the strict fake issuer: the test plays the browser
 * (fetches the printed URL, follows the redirect to the loopback callback, then to /success).
 * Uses `--port` with free ephemeral ports; the real 1455/1457 are only used by auth-ports.test.ts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend } from '../fakes/backend.js';
import { startFakeIssuer, type FakeIssuer } from '../fakes/issuer.js';
import { textAnswer } from '../fakes/sse-events.js';
import {
  exited,
  freePort,
  live,
  playBrowser,
  portAccepts,
  toIPv4,
  waitForAuthorizeUrl,
  waitForStderr,
} from '../helpers/auth.js';
import { runCli, spawnCli, tempDir } from '../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
let issuer: FakeIssuer;
let port: number;

beforeEach(async () => {
  home = tempDir();
  port = await freePort();
});
afterEach(async () => {
  await issuer?.close();
  home.cleanup();
});

const credsFile = () => path.join(home.dir, 'credentials.json');
const env = (extra: Record<string, string> = {}) => ({
  KOLEGA_HOME: home.dir,
  KOLEGA_AUTH_ISSUER: issuer.url,
  ...extra,
});
const login = (args: string[] = [], extra: Record<string, string> = {}, stdin?: 'silent-pipe') =>
  spawnCli(['auth', 'login', 'chatgpt', '--port', String(port), '--timeout', '20', ...args], {
    env: env(extra),
    stdin,
  });

describe('browser sign-in', () => {
  it('signs in end to end: URL on stderr, code exchanged with PKCE, 0600 file, success page, then run works', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port] });
    const child = login();
    const out = live(child);
    const url = await waitForAuthorizeUrl(out);
    // the listener accepts before the URL is printed
    expect(await portAccepts(port)).toBe(true);
    const u = new URL(url);
    expect([...u.searchParams.keys()]).toEqual([
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'code_challenge',
      'code_challenge_method',
      'id_token_add_organizations',
      'codex_cli_simplified_flow',
      'state',
      'originator',
    ]);
    expect(u.searchParams.get('redirect_uri')).toBe(`http://localhost:${port}/auth/callback`);
    expect(out.stderr).toContain(`ssh -L ${port}:127.0.0.1:${port} <host>`);
    expect(out.stderr).toMatch(/waiting up to 20s/);
    const visit = await playBrowser(url);
    expect(visit.callbackStatus).toBe(302);
    expect(visit.callbackLocation).toBe('/success');
    expect(visit.successStatus).toBe(200);
    expect(visit.successBody).toContain('Signed in to kolega');
    const { code } = await exited(child);
    expect(out.stdout).toBe('');
    expect(code).toBe(0);
    expect(out.stderr).toMatch(/signed in with ChatGPT \(plus\.user@example\.com, plan plus\)/);
    // no token or code in any page or URL the browser saw
    for (const s of issuer.secrets()) {
      if (s.startsWith('ac_')) continue; // the code is in the callback URL by protocol, never in our pages
      expect(visit.successBody).not.toContain(s);
      expect(visit.callbackLocation).not.toContain(s);
    }
    const ex = issuer.requests.find((r) => r.body.grant_type === 'authorization_code')!;
    expect(ex.contentType).toBe('application/x-www-form-urlencoded');
    expect(ex.body.redirect_uri).toBe(`http://localhost:${port}/auth/callback`);
    expect(ex.status).toBe(200);
    expect(statSync(credsFile()).mode & 0o777).toBe(0o600);
    expect(statSync(home.dir).mode & 0o777).toBe(0o700);
    expect(await portAccepts(port)).toBe(false);
    const stored = JSON.parse(readFileSync(credsFile(), 'utf8'));
    expect(stored.chatgpt.account_id).toBe('acct-fake-1');

    const backend = await startFakeBackend({
      chatgptTokens: (t) => issuer.isValidAccessToken(t),
      accountId: 'acct-fake-1',
      steps: [{ kind: 'sse', events: textAnswer('hello') }],
    });
    try {
      const r = await runCli(['run', 'hi'], { env: env({ KOLEGA_CHATGPT_BASE_URL: backend.chatgptBaseUrl }) });
      expect(r.stdout).toBe('hello\n');
      expect(r.code).toBe(0);
      const st = await runCli(['auth', 'status'], { env: env() });
      expect(st.code).toBe(0);
      expect(st.stdout).toContain('signed in');
    } finally {
      await backend.close();
    }
  });

  it('answers a wrong or missing state with 400, keeps waiting and never exchanges that code', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port] });
    const child = login();
    const out = live(child);
    const url = await waitForAuthorizeUrl(out);
    const bad = await playBrowser(url, (cb) => cb.searchParams.set('state', 'x'.repeat(43)));
    expect(bad.callbackStatus).toBe(400);
    const missing = await playBrowser(url, (cb) => cb.searchParams.delete('state'));
    expect(missing.callbackStatus).toBe(400);
    expect(issuer.exchangeCount).toBe(0);
    expect(child.exitCode).toBeNull();
    const good = await playBrowser(url);
    expect(good.successStatus).toBe(200);
    expect((await exited(child)).code).toBe(0);
    expect(issuer.exchangeCount).toBe(1);
  });

  it('fails with exit 3 and stores nothing when access is denied', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port], authorizeMode: 'access_denied' });
    const child = login();
    const out = live(child);
    const visit = await playBrowser(await waitForAuthorizeUrl(out));
    expect(visit.callbackBody).toContain('sign-in failed');
    expect((await exited(child)).code).toBe(3);
    expect(out.stderr).toMatch(/access was denied/);
    expect(existsSync(credsFile())).toBe(false);
    expect(issuer.exchangeCount).toBe(0);
  });

  it('exits 5 (upstream), not 3, when the token endpoint fails with a 5xx during sign-in', async () => {
    issuer = await startFakeIssuer({
      allowedPorts: [port],
      exchangeFaults: [{ status: 503, body: { error: 'temporarily_unavailable' } }],
    });
    const child = login();
    const out = live(child);
    await playBrowser(await waitForAuthorizeUrl(out));
    expect((await exited(child)).code).toBe(5);
    expect(out.stderr).toMatch(/token endpoint failed during sign-in \(status 503\)/);
    expect(out.stderr).not.toMatch(/sign in again/);
    expect(existsSync(credsFile())).toBe(false);
    expect(issuer.exchangeCount).toBe(1);
  });

  it('explains a workspace without Codex (missing_codex_entitlement)', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port], authorizeMode: 'missing_entitlement' });
    const child = login();
    const out = live(child);
    await playBrowser(await waitForAuthorizeUrl(out));
    expect((await exited(child)).code).toBe(3);
    expect(out.stderr).toMatch(/Codex is not enabled/);
  });

  it('fails when the callback has no code', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port] });
    const child = login();
    const out = live(child);
    await playBrowser(await waitForAuthorizeUrl(out), (cb) => cb.searchParams.delete('code'));
    expect((await exited(child)).code).toBe(3);
    expect(out.stderr).toMatch(/no authorization code/);
    expect(existsSync(credsFile())).toBe(false);
  });

  it('refuses a free plan: exit 3, names the plan and what is needed, stores nothing', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port], plan: 'free' });
    const child = login();
    const out = live(child);
    const visit = await playBrowser(await waitForAuthorizeUrl(out));
    expect(visit.callbackBody).toContain('free');
    expect((await exited(child)).code).toBe(3);
    expect(out.stderr).toMatch(/plan "free"/);
    expect(out.stderr).toMatch(/paid ChatGPT plan/);
    expect(existsSync(credsFile())).toBe(false);
  });

  it('accepts the callback URL pasted on stdin, validated like a real callback', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port] });
    const child = login([], {}, 'silent-pipe');
    const out = live(child);
    const url = await waitForAuthorizeUrl(out);
    const a = await fetch(url, { redirect: 'manual' });
    const cb = new URL(a.headers.get('location')!);
    const wrong = new URL(cb);
    wrong.searchParams.set('state', 'y'.repeat(43));
    child.stdin!.write('not a url\n');
    child.stdin!.write(wrong.toString() + '\n');
    await waitForStderr(out, /state mismatch/);
    expect(issuer.exchangeCount).toBe(0);
    child.stdin!.write(cb.toString() + '\n');
    expect((await exited(child)).code).toBe(0);
    expect(issuer.exchangeCount).toBe(1);
    expect(statSync(credsFile()).mode & 0o777).toBe(0o600);
  });

  it.skipIf(!existsSync('/usr/bin/script'))(
    'on a terminal, invites pasting and accepts the pasted URL (pty via script)',
    async () => {
      issuer = await startFakeIssuer({ allowedPorts: [port] });
      const { spawn } = await import('node:child_process');
      const { BIN, baseEnv } = await import('../helpers/cli.js');
      const cmd = `"${process.execPath}" "${BIN}" auth login chatgpt --port ${port} --timeout 20`;
      const child = spawn('/usr/bin/script', ['-qefc', cmd, '/dev/null'], {
        env: baseEnv({ KOLEGA_HOME: home.dir, KOLEGA_AUTH_ISSUER: issuer.url, TERM: 'dumb' }),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out = live(child);
      // through a pty, stderr arrives on the pty (our stdout here)
      const m = await (async () => {
        const started = Date.now();
        for (;;) {
          const hit = out.stdout.match(/(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)/);
          if (hit && /paste the URL/.test(out.stdout)) return hit;
          if (Date.now() - started > 15_000)
            throw new Error(`no URL/paste hint on the terminal:\n${out.stdout}${out.stderr}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      const a = await fetch(m[1]!, { redirect: 'manual' });
      child.stdin!.write(a.headers.get('location')! + '\r');
      const { code } = await exited(child);
      expect(code).toBe(0);
      expect(issuer.exchangeCount).toBe(1);
      expect(existsSync(credsFile())).toBe(true);
    },
  );

  it('times out with exit 3, says so, and frees the port', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port] });
    const r = await runCli(['auth', 'login', 'chatgpt', '--port', String(port), '--timeout', '1'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no sign-in arrived within 1s/);
    expect(r.stderr).toMatch(/waiting up to 1s/);
    expect(await portAccepts(port)).toBe(false);
  });

  it('Ctrl-C closes the listener and exits 130', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port] });
    const child = login();
    const out = live(child);
    await waitForAuthorizeUrl(out);
    child.kill('SIGINT');
    expect((await exited(child)).code).toBe(130);
    expect(await portAccepts(port)).toBe(false);
    expect(existsSync(credsFile())).toBe(false);
  });

  it.each([
    ['a missing opener', { BROWSER: '/nonexistent/opener' }],
    ['a failing opener', { BROWSER: '/bin/false' }],
    ['a hanging opener', { BROWSER: 'sleep 600' }],
    [
      'no opener and no display',
      { BROWSER: '', DISPLAY: '', WAYLAND_DISPLAY: '', PATH: path.dirname(process.execPath) },
    ],
  ])('survives %s (B03)', async (_name, extra) => {
    issuer = await startFakeIssuer({ allowedPorts: [port] });
    const child = login([], extra as Record<string, string>);
    const out = live(child);
    const url = await waitForAuthorizeUrl(out);
    await new Promise((r) => setTimeout(r, 300));
    expect((await playBrowser(url)).successStatus).toBe(200);
    const { code } = await exited(child);
    expect(code).toBe(0);
    expect(out.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
    if (_name === 'a missing opener' || _name === 'a failing opener')
      expect(out.stderr).toMatch(/could not open a browser/);
  });

  it('keeps files private under umask 000', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port] });
    const { spawn } = await import('node:child_process');
    const { BIN, baseEnv } = await import('../helpers/cli.js');
    const nested = path.join(home.dir, 'nested', 'home');
    const child = spawn(
      '/bin/sh',
      ['-c', `umask 000; exec "${process.execPath}" "${BIN}" auth login chatgpt --port ${port} --timeout 20`],
      {
        env: baseEnv({ KOLEGA_HOME: nested, KOLEGA_AUTH_ISSUER: issuer.url }),
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    child.stdin.end();
    const out = live(child);
    await playBrowser(await waitForAuthorizeUrl(out));
    expect((await exited(child)).code).toBe(0);
    expect(statSync(path.join(nested, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(statSync(nested).mode & 0o777).toBe(0o700);
  });

  it('the success redirect never carries tokens', async () => {
    issuer = await startFakeIssuer({ allowedPorts: [port] });
    const child = login();
    const out = live(child);
    const visit = await playBrowser(await waitForAuthorizeUrl(out));
    await exited(child);
    expect(visit.callbackLocation).toBe('/success');
    expect(toIPv4(visit.callbackUrl)).toContain(`127.0.0.1:${port}/auth/callback`);
  });
});

describe('device-code sign-in', () => {
  const device = (extra: string[] = []) =>
    runCli(['auth', 'login', 'chatgpt', '--device-auth', ...extra], { env: env(), killAfterMs: 25_000 });

  it('polls while pending (403/404), then exchanges with the server verifier and the device redirect_uri', async () => {
    issuer = await startFakeIssuer({ device: { pendingPolls: 2, interval: '0' } });
    const r = await device();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${issuer.url}/codex/device`);
    expect(r.stderr).toMatch(/enter the code: [0-9A-F]{4}-[0-9A-F]{4}/);
    const polls = issuer.requests.filter((q) => q.path.endsWith('/deviceauth/token'));
    expect(polls.map((p) => p.status)).toEqual([403, 404, 200]);
    const ex = issuer.requests.find((q) => q.body.grant_type === 'authorization_code')!;
    expect(ex.body.redirect_uri).toBe(`${issuer.url}/deviceauth/callback`);
    expect(ex.status).toBe(200);
    expect(statSync(credsFile()).mode & 0o777).toBe(0o600);
  });

  it('polls no faster than once a second even with interval "0"', async () => {
    issuer = await startFakeIssuer({ device: { pendingPolls: 2, interval: '0' } });
    const started = Date.now();
    const r = await device();
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  });

  it('gives up after --timeout with exit 3', async () => {
    issuer = await startFakeIssuer({ device: { pendingPolls: 1000 } });
    const r = await device(['--timeout', '2']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/waiting up to 2s/);
    expect(r.stderr).toMatch(/not confirmed within 2s/);
  });

  it('reports a declined sign-in with exit 3', async () => {
    issuer = await startFakeIssuer({ device: { mode: 'declined' } });
    const r = await device();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/declined/);
    expect(existsSync(credsFile())).toBe(false);
  });

  it('says so when device login is not enabled (404 on the first request)', async () => {
    issuer = await startFakeIssuer({ device: { mode: 'disabled' } });
    const r = await device();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/device-code sign-in is not enabled/);
    expect(issuer.requests.filter((q) => q.path.endsWith('/deviceauth/token'))).toHaveLength(0);
  });
});
