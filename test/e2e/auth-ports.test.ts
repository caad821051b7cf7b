/**
 * The real callback ports 1455 and 1457 (docs/protocol.md §a.3; case B01). The only test file
 * that binds them; its tests run one after another.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeIssuer, type FakeIssuer } from '../fakes/issuer.js';
import { exited, holdPort, live, playBrowser, portAccepts, waitForAuthorizeUrl } from '../helpers/auth.js';
import { runCli, spawnCli, tempDir } from '../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
let issuer: FakeIssuer;
const held: (() => Promise<void>)[] = [];

beforeEach(async () => {
  home = tempDir();
  issuer = await startFakeIssuer();
});
afterEach(async () => {
  for (const close of held.splice(0)) await close();
  await issuer.close();
  home.cleanup();
});

async function hold(port: number): Promise<void> {
  const v4 = await holdPort(port, '127.0.0.1');
  if (!v4) throw new Error(`port ${port} is already taken by something else; cannot run this test`);
  held.push(v4);
  const v6 = await holdPort(port, '::1');
  if (v6) held.push(v6);
}

const env = () => ({ KOLEGA_HOME: home.dir, KOLEGA_AUTH_ISSUER: issuer.url, BROWSER: '/bin/true' });

/** Env that makes listen() on `ports` fail with `code`, as a reserved or excluded port range does (fakes/deny-listen.mjs). */
const DENY_LISTEN = fileURLToPath(new URL('../fakes/deny-listen.mjs', import.meta.url));
const denied = (ports: number[], code = 'EACCES') => ({
  NODE_OPTIONS: `--import=${DENY_LISTEN}`,
  KOLEGA_TEST_DENY_PORTS: ports.join(','),
  KOLEGA_TEST_DENY_CODE: code,
});

describe.sequential('loopback ports 1455 / 1457', () => {
  it('uses 1455 by default', async () => {
    const child = spawnCli(['auth', 'login', 'chatgpt', '--timeout', '20'], { env: env() });
    const out = live(child);
    const url = await waitForAuthorizeUrl(out);
    expect(new URL(url).searchParams.get('redirect_uri')).toBe('http://localhost:1455/auth/callback');
    expect((await playBrowser(url)).successStatus).toBe(200);
    expect((await exited(child)).code).toBe(0);
    expect(await portAccepts(1455)).toBe(false);
  });

  it('falls back to 1457 when 1455 is busy, with the same redirect_uri in the exchange (B01)', async () => {
    await hold(1455);
    const child = spawnCli(['auth', 'login', 'chatgpt', '--timeout', '20'], { env: env() });
    const out = live(child);
    const url = await waitForAuthorizeUrl(out);
    expect(new URL(url).searchParams.get('redirect_uri')).toBe('http://localhost:1457/auth/callback');
    expect(out.stderr).toMatch(/port 1455 .* in use; using port 1457/);
    expect((await playBrowser(url)).successStatus).toBe(200);
    expect((await exited(child)).code).toBe(0);
    const ex = issuer.requests.find((r) => r.body.grant_type === 'authorization_code')!;
    expect(ex.body.redirect_uri).toBe('http://localhost:1457/auth/callback');
    expect(ex.status).toBe(200);
    expect(statSync(path.join(home.dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(await portAccepts(1457)).toBe(false);
  });

  it('headless: the listener accepts before the URL is printed and until the timeout (B04)', async () => {
    const child = spawnCli(['auth', 'login', 'chatgpt', '--timeout', '4'], { env: { ...env(), BROWSER: '' } });
    const out = live(child);
    const probes: { accepts: boolean; urlShown: boolean; at: number }[] = [];
    let urlAt = 0;
    let done = false;
    const exit = exited(child).then((e) => {
      done = true;
      return e;
    });
    while (!done) {
      const urlShown = /oauth\/authorize/.test(out.stderr);
      if (urlShown && !urlAt) urlAt = Date.now();
      probes.push({ accepts: await portAccepts(1455), urlShown, at: Date.now() });
      await new Promise((r) => setTimeout(r, 100));
    }
    const { code } = await exit;
    expect(code).toBe(3);
    expect(out.stderr).toContain('ssh -L 1455:127.0.0.1:1455 <host>');
    expect(out.stderr).toMatch(/waiting up to 4s/);
    expect(out.stderr).toMatch(/no sign-in arrived within 4s/);
    // every probe taken after the URL appeared, and well before the 4 s timeout, found the listener up
    const afterUrl = probes.filter((p) => p.urlShown && p.at - urlAt < 2500);
    expect(afterUrl.length).toBeGreaterThan(5);
    expect(afterUrl.every((p) => p.accepts)).toBe(true);
    expect(await portAccepts(1455)).toBe(false);
  });

  it('fails clearly when both ports are busy, naming them and suggesting --device-auth', async () => {
    await hold(1455);
    await hold(1457);
    const r = await runCli(['auth', 'login', 'chatgpt', '--timeout', '5'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/1455/);
    expect(r.stderr).toMatch(/1457/);
    expect(r.stderr).toMatch(/--device-auth/);
    expect(r.stderr).not.toMatch(/oauth\/authorize/);
    expect(issuer.requests).toHaveLength(0);
  });

  it('a port the OS refuses (EACCES) is reported as refused, not "in use", and 1457 is used', async () => {
    const child = spawnCli(['auth', 'login', 'chatgpt', '--timeout', '20'], { env: { ...env(), ...denied([1455]) } });
    const out = live(child);
    const url = await waitForAuthorizeUrl(out);
    expect(new URL(url).searchParams.get('redirect_uri')).toBe('http://localhost:1457/auth/callback');
    expect(out.stderr).toMatch(
      /port 1455 on 127\.0\.0\.1 was refused by the operating system \(EACCES\); using port 1457/,
    );
    expect(out.stderr).not.toMatch(/in use/);
    expect((await playBrowser(url)).successStatus).toBe(200);
    expect((await exited(child)).code).toBe(0);
  });

  it.each(['EACCES', 'EPERM'])(
    'both ports refused (%s): exit 3, "refused" with the code, hints --port and --device-auth',
    async (code) => {
      const r = await runCli(['auth', 'login', 'chatgpt', '--timeout', '5'], {
        env: { ...env(), ...denied([1455, 1457], code) },
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        new RegExp(`refused 127\\.0\\.0\\.1:1455 \\(${code}\\) and 127\\.0\\.0\\.1:1457 \\(${code}\\)`),
      );
      expect(r.stderr).not.toMatch(/in use/);
      expect(r.stderr).toContain('--port');
      expect(r.stderr).toContain('--device-auth');
      expect(r.stderr).not.toMatch(/oauth\/authorize/);
      expect(issuer.requests).toHaveLength(0);
    },
  );

  it('one refused and one busy port are each named for what they are', async () => {
    await hold(1457);
    const r = await runCli(['auth', 'login', 'chatgpt', '--timeout', '5'], { env: { ...env(), ...denied([1455]) } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused 127\.0\.0\.1:1455 \(EACCES\)/);
    expect(r.stderr).toMatch(/127\.0\.0\.1:1457 is in use/);
  });
});
