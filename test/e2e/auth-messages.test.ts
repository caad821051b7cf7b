/**
 * Sign-in messages a newcomer meets first: bare `auth login` / `auth logout`
 * print one line naming the targets (exit 2); `auth status` does not say the same thing on stdout
 * and stderr; `auth logout` also deletes the cached model list of that provider (account data).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
beforeEach(() => {
  home = tempDir();
});
afterEach(() => home.cleanup());
const env = () => ({
  KOLEGA_HOME: home.dir,
  KOLEGA_AUTH_ISSUER: 'http://127.0.0.1:9',
  OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
});

describe('auth messages', () => {
  it('bare auth login / auth logout: one stderr line naming both targets, exit 2, empty stdout', async () => {
    for (const args of [
      ['auth', 'login'],
      ['auth', 'logout'],
    ]) {
      const r = await runCli(args, { env: env() });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/chatgpt/);
      expect(lines[0]).toMatch(/openai/);
    }
  });

  it('auth status (text, not signed in): the report on stdout, exit 3, nothing repeated on stderr', async () => {
    const r = await runCli(['auth', 'status'], { env: env() });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/Not signed in: run kolega auth login chatgpt/);
    expect(r.stderr).toBe('');
  });

  it('auth status of a corrupt file names it once (stdout), exit 2', async () => {
    writeFileSync(path.join(home.dir, 'credentials.json'), '{', { mode: 0o600 });
    const r = await runCli(['auth', 'status'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/credentials file corrupt/);
    expect(r.stderr).toBe('');
  });

  it('auth logout deletes the cached model list of the provider it signs out of (account data)', async () => {
    mkdirSync(home.dir, { recursive: true });
    const chatgptCache = path.join(home.dir, 'models-cache.json');
    const openaiCache = path.join(home.dir, 'openai-models-cache.json');
    const write = () => {
      writeFileSync(chatgptCache, JSON.stringify({ version: 2, account_id: 'acct-1', models: [] }));
      writeFileSync(openaiCache, JSON.stringify({ version: 1, key_id: '0123456789abcdef', ids: [] }));
    };
    write();
    const o = await runCli(['auth', 'logout', 'openai'], { env: env() });
    expect(o.code).toBe(0);
    expect(existsSync(openaiCache)).toBe(false);
    expect(existsSync(chatgptCache)).toBe(true);
    const c = await runCli(['auth', 'logout', 'chatgpt'], { env: env() });
    expect(c.code).toBe(0);
    expect(existsSync(chatgptCache)).toBe(false);
    expect(c.stderr).toMatch(/removed the cached account data/);
    write();
    expect((await runCli(['auth', 'logout', '--all'], { env: env() })).code).toBe(0);
    expect(existsSync(chatgptCache)).toBe(false);
    expect(existsSync(openaiCache)).toBe(false);
  });
});
