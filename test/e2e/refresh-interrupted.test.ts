/**
 * A rotated refresh token is never lost, whatever interrupts the run: the real binary against the
 * strict fake issuer, which rotates the refresh token (the old one is dead from then on) and then
 * holds its answer until the test releases it — so the test can interrupt kolega exactly while the
 * rotated pair is on its way back. Every wait is on an event (a held request, a stderr line).
 * Also: sign-in exchanges, unreadable JSON files, and refreshes that fail while the access token is
 * still valid.
 */
import { readFileSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend, type Step } from '../fakes/backend.js';
import { startFakeIssuer, type FakeIssuer, type FakeIssuerOptions, type IssuedTokens } from '../fakes/issuer.js';
import { textAnswer } from '../fakes/sse-events.js';
import { exited, live, waitForStderr } from '../helpers/auth.js';
import { runCli, spawnCli, tempDir } from '../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
let issuer: FakeIssuer;
let backend: FakeBackend;

const hello: Step = { kind: 'sse', events: textAnswer('hello') };

async function setup(issuerOpts: FakeIssuerOptions = {}): Promise<void> {
  issuer = await startFakeIssuer(issuerOpts);
  backend = await startFakeBackend({
    chatgptTokens: (t) => issuer.isValidAccessToken(t),
    accountId: 'acct-fake-1',
    steps: [],
    fallback: hello,
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
const stored = () => (JSON.parse(readFileSync(credsFile(), 'utf8')) as { chatgpt: Record<string, string> }).chatgpt;

/** What kolega prints (with --debug) once it waits for critical work before exiting. */
const WAITING = /\[debug\] waiting up to 10s for the renewed ChatGPT credentials to be stored before exiting/;

/**
 * Starts `kolega run` on an expired session and resolves once the issuer has rotated the refresh
 * token and holds the answer.
 */
async function runUntilRotated(args: string[] = []) {
  const old = issuer.writeSession(home.dir, { expired: true });
  const hold = issuer.holdNext('refresh_token');
  const child = spawnCli(['--debug', 'run', ...args, 'hi'], { env: env() });
  const out = live(child);
  const gone = new Promise<never>((_, reject) =>
    child.once('close', (code) =>
      reject(new Error(`kolega exited (${code}) before the refresh was held:\n${out.stderr}`)),
    ),
  );
  gone.catch(() => undefined);
  const rotated = await Promise.race([hold.reached, gone]);
  return { old, rotated, hold, child, out };
}

/** Waits (event-driven, generously bounded for a loaded machine) for `re` on kolega's stderr. */
const stderrShows = (out: { stderr: string; stdout: string }, re: RegExp) => waitForStderr(out, re, 25_000);

/** The next run works on the stored tokens: no new sign-in, no further refresh. */
async function expectSignedInWith(rotated: IssuedTokens): Promise<void> {
  const c = stored();
  expect(c.refresh_token).toBe(rotated.refresh_token);
  expect(c.access_token).toBe(rotated.access_token);
  expect(statSync(credsFile()).mode & 0o777).toBe(0o600);
  expect(readdirSync(home.dir).filter((f) => f.startsWith('credentials'))).toEqual(['credentials.json']); // no lock or temp file left
  const refreshes = issuer.refreshCount;
  const next = await runCli(['run', 'hi'], { env: env() });
  expect([next.code, next.stdout, next.stderr]).toEqual([0, 'hello\n', '']);
  expect(issuer.refreshCount).toBe(refreshes);
}

describe('an interrupted refresh still stores the rotated tokens', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s while the rotated answer is on its way: exit 130, rotated pair stored, next run signed in',
    async (sig) => {
      await setup();
      const { rotated, hold, child, out } = await runUntilRotated();
      child.kill(sig);
      await stderrShows(out, WAITING);
      hold.release();
      const { code } = await exited(child, 25_000);
      expect(code).toBe(130);
      expect(out.stdout).toBe('');
      expect(out.stderr).toMatch(/kolega: interrupted/);
      expect(backend.requests).toHaveLength(0); // interrupted: the turn itself is not sent
      await expectSignedInWith(rotated);
    },
  );

  it('--json: SIGINT mid-refresh still ends stdout with turn.failed (interrupted), and the pair is stored', async () => {
    await setup();
    const { rotated, hold, child, out } = await runUntilRotated(['--json']);
    child.kill('SIGINT');
    await stderrShows(out, WAITING);
    hold.release();
    expect((await exited(child, 25_000)).code).toBe(130);
    const last = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { type: string; error: { code: string } };
    expect(last).toMatchObject({ type: 'turn.failed', error: { code: 'interrupted' } });
    await expectSignedInWith(rotated);
  });

  it('a second Ctrl-C says what kolega waits for; the pair is still stored', async () => {
    await setup();
    const { rotated, hold, child, out } = await runUntilRotated();
    child.kill('SIGINT');
    await stderrShows(out, WAITING);
    child.kill('SIGINT');
    await stderrShows(
      out,
      /kolega: waiting up to 10s for the renewed ChatGPT credentials to be stored; interrupt again to exit now/,
    );
    hold.release();
    expect((await exited(child, 25_000)).code).toBe(130);
    await expectSignedInWith(rotated);
  });

  it('a third Ctrl-C exits at once (130), leaving the credentials file whole', async () => {
    await setup();
    const { old, child, out } = await runUntilRotated();
    child.kill('SIGINT');
    await stderrShows(out, WAITING);
    child.kill('SIGINT');
    await stderrShows(out, /interrupt again to exit now/);
    child.kill('SIGINT');
    const { code } = await exited(child, 25_000); // the answer is still held: only the third signal ends the run
    expect(code).toBe(130);
    expect(stored().refresh_token).toBe(old.refresh_token); // the user chose to give the rotation up
    expect(readdirSync(home.dir).filter((f) => f.startsWith('credentials'))).toEqual(['credentials.json']); // no lock or temp file left
  });

  it('--timeout expiring during the refresh: exit 6 naming the timeout, rotated pair stored', async () => {
    await setup();
    const { rotated, hold, child, out } = await runUntilRotated(['--timeout', '5']);
    await stderrShows(out, WAITING); // --timeout fired while the answer was held
    hold.release();
    expect((await exited(child, 25_000)).code).toBe(6);
    expect(out.stderr).toMatch(/longer than --timeout 5s/);
    await expectSignedInWith(rotated);
  });

  it('stdout closed by its reader during the refresh: exit 141, nothing on stderr but debug, rotated pair stored', async () => {
    await setup();
    const { rotated, hold, child, out } = await runUntilRotated();
    child.stdout!.destroy();
    hold.release();
    expect((await exited(child, 25_000)).code).toBe(141);
    expect(out.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('[debug]'))).toEqual([]);
    await expectSignedInWith(rotated);
  });
});

describe('an interrupted sign-in still stores its tokens', () => {
  it('SIGINT after the device code was exchanged: exit 130, the issued tokens stored, run works', async () => {
    await setup({ device: { interval: '0' } });
    const hold = issuer.holdNext('authorization_code');
    const child = spawnCli(['--debug', 'auth', 'login', 'chatgpt', '--device-auth'], { env: env() });
    const out = live(child);
    const issued = await hold.reached;
    child.kill('SIGINT');
    await stderrShows(out, /\[debug\] waiting up to 10s for the new ChatGPT sign-in to be stored before exiting/);
    hold.release();
    expect((await exited(child, 25_000)).code).toBe(130);
    const c = stored();
    expect(c.refresh_token).toBe(issued.refresh_token);
    expect(c.access_token).toBe(issued.access_token);
    expect(statSync(credsFile()).mode & 0o777).toBe(0o600);
    const next = await runCli(['run', 'hi'], { env: env() });
    expect([next.code, next.stdout]).toEqual([0, 'hello\n']);
    expect(issuer.refreshCount).toBe(0);
  });
});

describe('unreadable JSON files', () => {
  it('a NUL-filled credentials file: one line naming the file and the byte, no control characters, exit 2', async () => {
    await setup();
    writeFileSync(credsFile(), Buffer.alloc(512), { mode: 0o600 });
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(credsFile());
    expect(r.stderr).toMatch(/unexpected character U\+0000 at byte 0/);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(readFileSync(credsFile())).toEqual(Buffer.alloc(512)); // never overwritten
  });

  it('a settings file with an escape sequence: the byte of the ESC, never the ESC itself', async () => {
    await setup();
    writeFileSync(path.join(home.dir, 'settings.json'), '{"model": "x",\n "a": \u001b[31mred}');
    const r = await runCli(['config', 'list'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('settings.json');
    expect(r.stderr).toMatch(/unexpected character U\+001B at byte 21/);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });
});

describe('a refresh that fails while the access token is still valid', () => {
  const ttl = 120; // inside the 5-minute refresh window, still valid

  it('refused early refresh: one POST, the run goes on with one warning; the next run posts nothing', async () => {
    await setup({ accessTtlSeconds: ttl, refreshFaults: [{ status: 400, body: { error: 'invalid_grant' } }] });
    const t = issuer.writeSession(home.dir);
    const r = await runCli(['run', 'hi'], { env: env() });
    expect([r.code, r.stdout]).toEqual([0, 'hello\n']);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^kolega: the ChatGPT session could not be renewed \(the refresh token was rejected \(invalid_grant\)\); using the current token, which expires in \d+ min; sign in again: kolega auth login chatgpt\n$/,
    );
    expect(issuer.refreshCount).toBe(1);
    expect(backend.requests[0]!.headers.authorization).toBe(`Bearer ${t.access_token}`);
    const again = await runCli(['run', 'hi'], { env: env() });
    expect([again.code, again.stdout]).toEqual([0, 'hello\n']);
    expect(again.stderr).toMatch(/cannot be renewed.*sign in again/);
    expect(issuer.refreshCount).toBe(1); // a refused refresh is never retried
  });

  it('5xx: retried with backoff a bounded number of times, then the run goes on with one warning', async () => {
    await setup({
      accessTtlSeconds: ttl,
      refreshFaults: Array.from({ length: 10 }, () => ({ status: 502, body: { error: 'bad gateway' } })),
    });
    issuer.writeSession(home.dir);
    const r = await runCli(['run', 'hi'], { env: env() });
    expect([r.code, r.stdout]).toEqual([0, 'hello\n']);
    expect(issuer.refreshCount).toBe(3);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kolega: could not renew the ChatGPT session \(the token endpoint failed \(502\)/);
    expect(r.stderr).not.toMatch(/sign in again/);
  });

  it('a token endpoint that never answers: the run goes on with one warning (not "sign in again")', async () => {
    await setup({ accessTtlSeconds: ttl, refreshFaults: [{ delayMs: 120_000 }] });
    issuer.writeSession(home.dir);
    const r = await runCli(['run', 'hi'], { env: env(), killAfterMs: 60_000 });
    expect([r.code, r.stdout]).toEqual([0, 'hello\n']);
    expect(issuer.refreshCount).toBe(1); // a timeout is not retried while the token works
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kolega: could not renew the ChatGPT session/);
    expect(r.stderr).not.toMatch(/sign in again/);
  }, 60_000);

  it('control: the same 5xx on an expired token fails the run (exit 5), never "sign in again"', async () => {
    await setup({ refreshFaults: Array.from({ length: 10 }, () => ({ status: 502, body: {} })) });
    issuer.writeSession(home.dir, { expired: true });
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stderr).not.toMatch(/sign in again/);
  });
});
