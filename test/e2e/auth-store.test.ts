/**
 * The credential store and the status/logout/API-key commands end to end (cases B35, B36;
 * docs/design.md "Stored state"): corrupt files are reported and never overwritten, modes stay 0600/0700, 20
 * concurrent writers never corrupt the file, status and logout exit statuses.
 */
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { startFakeIssuer, type FakeIssuer } from '../fakes/issuer.js';
import { textAnswer } from '../fakes/sse-events.js';
import { runCli, tempDir } from '../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
let issuer: FakeIssuer;
let backend: FakeBackend;

beforeEach(async () => {
  home = tempDir();
  issuer = await startFakeIssuer();
  backend = await startFakeBackend({
    chatgptTokens: (t) => issuer.isValidAccessToken(t),
    apiKeys: ['sk-env-key-1234567890', 'sk-stored-key-1234567890'],
    fallback: { kind: 'sse', events: textAnswer('hello') },
  });
});
afterEach(async () => {
  await backend.close();
  await issuer.close();
  home.cleanup();
});

const file = () => path.join(home.dir, 'credentials.json');
const env = (extra: Record<string, string> = {}) => ({
  KOLEGA_HOME: home.dir,
  KOLEGA_AUTH_ISSUER: issuer.url,
  KOLEGA_CHATGPT_BASE_URL: backend.chatgptBaseUrl,
  OPENAI_BASE_URL: backend.openaiBaseUrl,
  ...extra,
});

describe('corrupt credentials (B35)', () => {
  it.each([
    ['zero-filled', Buffer.alloc(4146)],
    ['truncated', Buffer.from('{"tokens":{"access_token":"ey')],
  ])('%s: run exits 2 fast naming the file; status says corrupt; nothing is overwritten', async (_n, content) => {
    mkdirSync(home.dir, { recursive: true });
    writeFileSync(file(), content, { mode: 0o600 });
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file());
    expect(r.stderr).toMatch(/corrupt/);
    expect(r.ms).toBeLessThan(15_000); // no hang (generous: CI machines are loaded)
    const st = await runCli(['auth', 'status'], { env: env() });
    expect(st.code).toBe(2);
    expect(st.stdout + st.stderr).toMatch(/credentials file corrupt/);
    expect(st.stdout).not.toMatch(/not signed in/);
    const js = await runCli(['auth', 'status', '--json'], { env: env() });
    expect(JSON.parse(js.stdout).credentials_file.state).toBe('corrupt');
    const lo = await runCli(['auth', 'logout', 'chatgpt'], { env: env() });
    expect(lo.code).toBe(2);
    const login = await runCli(['auth', 'login', 'openai', '--with-api-key'], {
      env: env(),
      stdin: 'sk-new-key-1234567890',
    });
    expect(login.code).toBe(2);
    const browserLogin = await runCli(['auth', 'login', 'chatgpt', '--port', '1', '--timeout', '5'], { env: env() });
    expect(browserLogin.code).toBe(2);
    expect(browserLogin.stderr).not.toMatch(/oauth\/authorize/);
    expect(readFileSync(file())).toEqual(content);
    const all = await runCli(['auth', 'logout', '--all'], { env: env() });
    expect(all.code).toBe(0);
    expect(existsSync(file())).toBe(false);
  });
});

describe('logout --all never deletes what it does not understand', () => {
  it('a file from a newer kolega: refused like logout openai (exit 2, upgrade hint), file kept', async () => {
    mkdirSync(home.dir, { recursive: true });
    const content = '{"version":2,"stuff":"precious"}';
    writeFileSync(file(), content, { mode: 0o600 });
    const all = await runCli(['auth', 'logout', '--all'], { env: env() });
    expect(all.code).toBe(2);
    expect(all.stderr).toContain('upgrade kolega');
    expect(all.stderr).not.toContain('removed');
    expect(readFileSync(file(), 'utf8')).toBe(content);
  });

  it('a directory: exit 2 naming the path and what to do, nothing deleted', async () => {
    mkdirSync(file(), { recursive: true });
    writeFileSync(path.join(file(), 'keep'), 'x');
    const all = await runCli(['auth', 'logout', '--all'], { env: env() });
    expect(all.code).toBe(2);
    expect(all.stderr).toContain(`${file()} is a directory`);
    expect(all.stderr).toContain('mv ');
    expect(all.stderr).not.toContain('unexpected error');
    expect(existsSync(path.join(file(), 'keep'))).toBe(true);
  });
});

describe('file modes (B36)', () => {
  it('tightens a pre-existing 0644 credentials file with a notice', async () => {
    issuer.writeSession(home.dir);
    chmodSync(file(), 0o644);
    const st = await runCli(['auth', 'status'], { env: env() });
    expect(st.stdout).toMatch(/readable by other users/);
    expect(statSync(file()).mode & 0o777).toBe(0o644); // status is read-only
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/mode is now 0600/);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });

  it('stays 0600 after a refresh over a 0644 file', async () => {
    issuer.writeSession(home.dir, { expired: true });
    chmodSync(file(), 0o644);
    const r = await runCli(['run', 'hi'], { env: env() });
    expect(r.code).toBe(0);
    expect(issuer.refreshCount).toBe(1);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });
});

describe('auth status', () => {
  it('exit 3 with the fixing command when nothing is configured', async () => {
    const r = await runCli(['auth', 'status'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/kolega auth login chatgpt/);
    // the text report is not repeated on stderr
    expect(r.stderr).toBe('');
    const j = await runCli(['auth', 'status', '--json'], { env: env() });
    expect(j.code).toBe(3);
    expect(j.stderr.trim().split('\n')).toHaveLength(1);
    expect(j.stderr).toMatch(/kolega auth login chatgpt/);
    const doc = JSON.parse(j.stdout);
    expect(Object.keys(doc)).toEqual([
      'schema_version',
      'selected_provider',
      'usable',
      'credentials_file',
      'providers',
    ]);
    expect(doc.usable).toBe(false);
    expect(doc.selected_provider).toBeNull();
  });

  it('exit 0 for a ChatGPT sign-in, with email, plan, account and expiry, never a token', async () => {
    const t = issuer.writeSession(home.dir);
    const r = await runCli(['auth', 'status'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plus\.user@example\.com/);
    expect(r.stdout).toMatch(/plan: +plus/);
    expect(r.stdout).toMatch(/acct-fake-1/);
    expect(r.stdout).toMatch(/expires (\d{4}-\d\d-\d\d )?\d\d:\d\d, in \d/); // local time and relative, as every message
    expect(r.stdout).toContain(file());
    const j = JSON.parse((await runCli(['auth', 'status', '--json'], { env: env() })).stdout);
    expect(j.selected_provider).toBe('openai_chatgpt');
    expect(j.providers.openai_chatgpt).toMatchObject({
      usable: true,
      state: 'signed_in',
      method: 'chatgpt',
      plan: 'plus',
      account_id: 'acct-fake-1',
    });
    for (const s of Object.values(t)) expect(r.stdout + JSON.stringify(j)).not.toContain(s);
  });

  it('an expired access token with a refresh token is still usable (renewed on the next run)', async () => {
    issuer.writeSession(home.dir, { expired: true });
    const r = await runCli(['auth', 'status'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/renewed on the next run/);
    expect(issuer.refreshCount).toBe(0);
  });

  it('says the environment key wins over a stored one, masked', async () => {
    await runCli(['auth', 'login', 'openai', '--with-api-key'], { env: env(), stdin: '  sk-stored-key-1234567890 \n' });
    const r = await runCli(['auth', 'status'], { env: env({ OPENAI_API_KEY: 'sk-env-key-1234567890' }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /OPENAI_API_KEY from the environment: sk-env-k\*\*\*67890 \(wins over the stored key sk-store\*\*\*67890\)/,
    );
    expect(r.stdout).not.toContain('sk-env-key-1234567890');
    const run = await runCli(['run', 'hi'], { env: env({ OPENAI_API_KEY: 'sk-env-key-1234567890' }) });
    expect(run.code).toBe(0);
    expect(backend.requests.at(-1)!.headers.authorization).toBe('Bearer sk-env-key-1234567890');
    const run2 = await runCli(['run', 'hi'], { env: env() });
    expect(run2.code).toBe(0);
    expect(backend.requests.at(-1)!.headers.authorization).toBe('Bearer sk-stored-key-1234567890');
  });
});

describe('auth login openai --with-api-key', () => {
  it('stores the trimmed key 0600 and keeps a ChatGPT sign-in next to it', async () => {
    issuer.writeSession(home.dir);
    const r = await runCli(['auth', 'login', 'openai', '--with-api-key'], {
      env: env(),
      stdin: '\n sk-stored-key-1234567890 \n',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const c = JSON.parse(readFileSync(file(), 'utf8'));
    expect(c.openai.api_key).toBe('sk-stored-key-1234567890');
    expect(c.chatgpt.access_token).toBeTruthy();
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });

  it.skipIf(!existsSync('/usr/bin/script'))(
    'refuses a terminal on stdin (exit 2) instead of waiting for a key',
    async () => {
      const { spawn } = await import('node:child_process');
      const { BIN, baseEnv } = await import('../helpers/cli.js');
      const child = spawn(
        '/usr/bin/script',
        ['-qefc', `"${process.execPath}" "${BIN}" auth login openai --with-api-key`, '/dev/null'],
        { env: baseEnv({ KOLEGA_HOME: home.dir, TERM: 'dumb' }), stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => {
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.on('close', (c) => {
          clearTimeout(t);
          resolve(c);
        });
      });
      expect(code).toBe(2);
      expect(output).toMatch(/stdin, which is a terminal/);
      expect(existsSync(file())).toBe(false);
    },
  );

  it('refuses empty input and a missing --with-api-key (exit 2)', async () => {
    expect((await runCli(['auth', 'login', 'openai', '--with-api-key'], { env: env(), stdin: '  \n' })).code).toBe(2);
    expect((await runCli(['auth', 'login', 'openai'], { env: env(), stdin: 'sk-x' })).code).toBe(2);
    expect(existsSync(file())).toBe(false);
  });

  it('20 concurrent writers never corrupt the file; a reader never sees partial content', async () => {
    issuer.writeSession(home.dir);
    let stop = false;
    let reads = 0;
    const bad: string[] = [];
    const reader = (async () => {
      while (!stop) {
        try {
          const text = readFileSync(file(), 'utf8');
          JSON.parse(text);
          reads++;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') bad.push(String(e));
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const keys = Array.from({ length: 20 }, (_, i) => `sk-writer-${String(i).padStart(2, '0')}-abcdefghijkl`);
    const results = await Promise.all(
      keys.map((k) =>
        runCli(['auth', 'login', 'openai', '--with-api-key', '--no-verify'], {
          env: env(),
          stdin: k,
          killAfterMs: 60_000,
        }),
      ),
    );
    stop = true;
    await reader;
    expect(results.map((r) => r.code)).toEqual(keys.map(() => 0));
    expect(bad).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    const c = JSON.parse(readFileSync(file(), 'utf8'));
    expect(keys).toContain(c.openai.api_key);
    expect(c.chatgpt.access_token).toBeTruthy();
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  }, 90_000);
});

describe('auth logout', () => {
  it('revokes the refresh token, deletes the credentials, and is idempotent (exit 0)', async () => {
    const t = issuer.writeSession(home.dir);
    const r = await runCli(['auth', 'logout', 'chatgpt'], { env: env() });
    expect(r.code).toBe(0);
    const rev = issuer.requests.find((q) => q.path === '/oauth/revoke')!;
    expect(rev.contentType).toBe('application/json');
    expect(rev.body).toEqual({
      token: t.refresh_token,
      token_type_hint: 'refresh_token',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
    });
    expect(existsSync(file())).toBe(false);
    const again = await runCli(['auth', 'logout', 'chatgpt'], { env: env() });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/nothing to remove/);
    expect((await runCli(['auth', 'status'], { env: env() })).code).toBe(3);
  });

  it('deletes the credentials even when the issuer is unreachable', async () => {
    issuer.writeSession(home.dir);
    const r = await runCli(['auth', 'logout', 'chatgpt'], { env: env({ KOLEGA_AUTH_ISSUER: 'http://127.0.0.1:9' }) });
    expect(r.code).toBe(0);
    expect(existsSync(file())).toBe(false);
    expect(r.ms).toBeLessThan(20_000);
  });

  it('logout openai keeps the ChatGPT sign-in; --all removes everything', async () => {
    issuer.writeSession(home.dir);
    await runCli(['auth', 'login', 'openai', '--with-api-key'], { env: env(), stdin: 'sk-stored-key-1234567890' });
    expect((await runCli(['auth', 'logout', 'openai'], { env: env() })).code).toBe(0);
    const c = JSON.parse(readFileSync(file(), 'utf8'));
    expect(c.openai).toBeUndefined();
    expect(c.chatgpt.access_token).toBeTruthy();
    expect((await runCli(['auth', 'logout', '--all'], { env: env() })).code).toBe(0);
    expect(existsSync(file())).toBe(false);
  });

  it('bare login/logout print the targets and exit 2; unknown targets exit 2', async () => {
    for (const args of [
      ['auth', 'login'],
      ['auth', 'logout'],
      ['auth', 'login', 'gemini'],
      ['auth', 'logout', 'gemini'],
    ]) {
      const r = await runCli(args, { env: env() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/chatgpt/);
      expect(r.stderr).toMatch(/openai/);
    }
  });
});
