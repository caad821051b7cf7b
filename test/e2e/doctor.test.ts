/**
 * `kolega doctor` end to end: a healthy setup exits 0; each broken setup we can stage is found,
 * with a fix line and the exit status of the first failed class (2 config, 3 auth, 6 network).
 */
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { parseDocument } from '../helpers/doc-schema.js';
import { writeChatGPTCredentials } from '../helpers/tokens.js';
import type { DoctorDocument } from '../../src/cli/doctor/run.js';

let fake: FakeBackend;
let home: { dir: string; cleanup: () => void };
let token: string;
const API_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';

beforeEach(async () => {
  token = '';
  home = tempDir();
  fake = await startFakeBackend();
});
afterEach(async () => {
  await fake.close();
  home.cleanup();
});

const env = (extra: Record<string, string> = {}) => ({
  KOLEGA_HOME: home.dir,
  KOLEGA_AUTH_ISSUER: fake.url,
  KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl,
  OPENAI_BASE_URL: fake.openaiBaseUrl,
  OPENAI_API_KEY: API_KEY,
  ...extra,
});

async function doctor(extra: Record<string, string> = {}, args: string[] = []) {
  const r = await runCli(['doctor', '--json', '--timeout', '3', ...args], { env: env(extra) });
  expect(r.stdout).not.toContain(API_KEY);
  if (token) expect(r.stdout).not.toContain(token);
  const doc = parseDocument<DoctorDocument>('doctor', r.stdout);
  const byId = (id: string) => doc.checks.find((c) => c.id === id)!;
  return { r, doc, byId };
}

describe('kolega doctor', () => {
  it('a healthy setup: exit 0, every check ok or warn, key masked, network reached, clock measured', async () => {
    token = writeChatGPTCredentials(home.dir);
    const { r, doc, byId } = await doctor();
    expect(r.code, r.stdout).toBe(0);
    expect(doc).toMatchObject({ ok: true, exit_code: 0 });
    expect(doc.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(doc.checks.map((c) => c.id)).toEqual([
      'node',
      'home',
      'credentials.permissions',
      'settings.parse',
      'credentials.parse',
      'tls.extra_ca',
      'settings.model',
      'auth.chatgpt',
      'auth.api_key',
      'auth.any',
      'codex.identity',
      'network.proxy',
      'network.issuer',
      'network.chatgpt',
      'network.openai',
      'clock',
      'terminal',
      'sandbox',
      'sandbox.masked',
    ]);
    expect(byId('auth.chatgpt').details).toMatchObject({
      signed_in: true,
      plan: 'plus',
      account_id: 'acct-test-1',
      refresh_token_present: true,
    });
    expect(byId('auth.api_key').message).toBe('sk-proj-***56789 from OPENAI_API_KEY');
    expect(byId('codex.identity')).toMatchObject({
      status: 'ok',
      message: 'claims Codex 0.171.0 to the ChatGPT backend',
      details: { version: '0.171.0', source: 'default', hidden_models: [] },
    });
    for (const id of ['network.issuer', 'network.chatgpt', 'network.openai']) {
      expect(byId(id).status).toBe('ok');
      expect(byId(id).message).toMatch(/DNS skipped \(IP\), TCP \d+ ms, HTTP 404 \d+ ms/);
    }
    expect(Math.abs(byId('clock').details!.skew_seconds as number)).toBeLessThanOrEqual(2);
    expect(byId('terminal').details).toMatchObject({ stdout_tty: false, color: false });
    expect(['ok', 'warn']).toContain(byId('sandbox').status);
  });

  it('text output: one line per check, FAIL with a fix line', async () => {
    const r = await runCli(['doctor', '--timeout', '3'], { env: env({ OPENAI_API_KEY: '' }) });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^FAIL\s+credentials\s+no credentials: runs exit 3\n\s+fix: kolega auth login chatgpt/m);
    expect(r.stdout).toMatch(/^ok\s+Node\.js\s+Node \d+/m);
    expect(r.stdout).toMatch(/\n1 failed, \d+ warnings?, \d+ ok\n$/);
  });

  it('credentials readable by others: fail (exit 2); --fix tightens to 0600 and the home to 0700', async () => {
    token = writeChatGPTCredentials(home.dir);
    const creds = path.join(home.dir, 'credentials.json');
    chmodSync(creds, 0o644);
    chmodSync(home.dir, 0o755);
    let { r, byId } = await doctor();
    expect(r.code).toBe(2);
    expect(byId('credentials.permissions')).toMatchObject({
      status: 'fail',
      class: 'config',
      message: `${creds} is readable by others (mode 0644)`,
    });
    expect(byId('credentials.permissions').fix).toContain('kolega doctor --fix');
    expect(byId('home').status).toBe('warn');
    expect(statSync(creds).mode & 0o777).toBe(0o644); // nothing changes without --fix

    ({ r, byId } = await doctor({}, ['--fix']));
    expect(r.code).toBe(0);
    expect(byId('credentials.permissions')).toMatchObject({ status: 'ok', fixed: true });
    expect(byId('home')).toMatchObject({ status: 'ok', fixed: true });
    expect(statSync(creds).mode & 0o777).toBe(0o600);
    expect(statSync(home.dir).mode & 0o777).toBe(0o700);
  });

  it('expired sign-in without a refresh token: auth fail, exit 3', async () => {
    token = writeChatGPTCredentials(home.dir, { exp: Math.floor(Date.now() / 1000) - 60, refreshToken: '' });
    const { r, byId } = await doctor({ OPENAI_API_KEY: '' });
    expect(r.code).toBe(3);
    expect(byId('auth.chatgpt')).toMatchObject({ status: 'fail', class: 'auth' });
    expect(byId('auth.chatgpt').message).toMatch(/no refresh token and the access token has expired/);
    expect(byId('auth.chatgpt').fix).toBe('sign in again: kolega auth login chatgpt');
  });

  it('expired access token with a refresh token is a warning only', async () => {
    token = writeChatGPTCredentials(home.dir, { exp: Math.floor(Date.now() / 1000) - 60 });
    const { r, byId } = await doctor();
    expect(r.code).toBe(0);
    expect(byId('auth.chatgpt').status).toBe('warn');
  });

  it('a free plan is not eligible: exit 3', async () => {
    token = writeChatGPTCredentials(home.dir, { plan: 'free' });
    const { r, byId } = await doctor();
    expect(r.code).toBe(3);
    expect(byId('auth.chatgpt').message).toMatch(/plan free.*not eligible/);
  });

  it('an unreachable base URL: network fail naming the step, exit 6', async () => {
    token = writeChatGPTCredentials(home.dir);
    const dead = await startFakeBackend();
    const deadBase = dead.chatgptBaseUrl;
    await dead.close();
    const { r, byId } = await doctor({ KOLEGA_CHATGPT_BASE_URL: deadBase });
    expect(r.code).toBe(6);
    expect(byId('network.chatgpt')).toMatchObject({ status: 'fail', class: 'network' });
    expect(byId('network.chatgpt').message).toMatch(/TCP 127\.0\.0\.1:\d+ failed: ECONNREFUSED/);
    expect(byId('network.issuer').status).toBe('ok');
  });

  it('an unreachable base of a provider not in use is only a warning', async () => {
    const dead = await startFakeBackend();
    const deadBase = dead.chatgptBaseUrl;
    await dead.close();
    const { r, byId } = await doctor({ KOLEGA_CHATGPT_BASE_URL: deadBase }); // API key only
    expect(r.code).toBe(0);
    expect(byId('network.chatgpt').status).toBe('warn');
  });

  it('documented settings are known keys; a wrong-typed one fails naming the file and the key', async () => {
    const file = path.join(home.dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ transport: 'http', sandbox_masked_paths: '~/.secret', future_key: 1 }));
    const known = await doctor({ KOLEGA_CHATGPT_BASE_URL: 'http://127.0.0.1:1' });
    expect(known.byId('settings.parse').status).toBe('warn');
    expect(known.byId('settings.parse').details).toMatchObject({ unknown_keys: ['future_key'] });
    writeFileSync(file, JSON.stringify({ model: 42 }));
    const { r, byId } = await doctor({ KOLEGA_CHATGPT_BASE_URL: 'http://127.0.0.1:1' });
    expect(r.code).toBe(2);
    expect(byId('settings.parse')).toMatchObject({ status: 'fail', class: 'config' });
    expect(byId('settings.parse').message).toContain(file);
    expect(byId('settings.parse').message).toContain('"model" must be a string');
  });

  it('corrupt settings and credentials: fail naming the files, exit 2 (first failed class wins)', async () => {
    writeFileSync(path.join(home.dir, 'settings.json'), Buffer.alloc(4146));
    writeFileSync(path.join(home.dir, 'credentials.json'), '{"tokens":{"access_token":"ey', { mode: 0o600 });
    const { r, byId } = await doctor({ KOLEGA_CHATGPT_BASE_URL: 'http://127.0.0.1:1' });
    expect(r.code).toBe(2);
    expect(byId('settings.parse')).toMatchObject({ status: 'fail', class: 'config' });
    expect(byId('settings.parse').message).toContain(path.join(home.dir, 'settings.json'));
    expect(byId('credentials.parse').message).toContain(path.join(home.dir, 'credentials.json'));
    expect(byId('credentials.parse').fix).toMatch(/move the file away/);
  });

  it('settings with unknown keys and a stale saved model: warnings, exit 0; a bad KOLEGA_MODEL: exit 2', async () => {
    writeFileSync(path.join(home.dir, 'settings.json'), JSON.stringify({ model: 'gpt-4-retired', theme: 'dark' }));
    let { r, byId } = await doctor();
    expect(r.code).toBe(0);
    expect(byId('settings.parse')).toMatchObject({ status: 'warn', details: { unknown_keys: ['theme'] } });
    expect(byId('settings.model')).toMatchObject({ status: 'warn', fix: 'kolega config unset model' });
    ({ r, byId } = await doctor({ KOLEGA_MODEL: 'gpt-4-retired' }));
    expect(r.code).toBe(2);
    expect(byId('settings.model').status).toBe('fail');
  });

  it('an insecure base URL is a configuration failure; a missing NODE_EXTRA_CA_CERTS file too', async () => {
    const { r, byId } = await doctor({
      OPENAI_BASE_URL: 'http://api.example.com/v1',
      NODE_EXTRA_CA_CERTS: path.join(home.dir, 'nope.pem'),
    });
    expect(r.code).toBe(2);
    expect(byId('tls.extra_ca')).toMatchObject({ status: 'fail' });
    expect(byId('network.openai')).toMatchObject({ status: 'fail', class: 'config' });
  });
});
