/**
 * `kolega auth login openai --with-api-key` checks the key with one `GET /v1/models` before storing
 * it: accepted -> stored; 401/403 -> exit 3, nothing stored; no verdict (network,
 * other status) -> stored with a warning, or refused with --verify; --no-verify makes no request.
 * `auth status` shows the stored key masked as Codex does; `doctor --online` checks it too.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { runCli, tempDir } from '../helpers/cli.js';

const GOOD = 'sk-proj-good-key-0123456789abcd';
let home: { dir: string; cleanup: () => void };
let fake: FakeBackend;

beforeEach(async () => {
  home = tempDir();
  fake = await startFakeBackend({ apiKeys: [GOOD] });
});
afterEach(async () => {
  await fake.close();
  home.cleanup();
});

const file = () => path.join(home.dir, 'credentials.json');
const env = (extra: Record<string, string> = {}) => ({
  KOLEGA_HOME: home.dir,
  OPENAI_BASE_URL: fake.openaiBaseUrl,
  ...extra,
});
const login = (key: string, flags: string[] = [], extra: Record<string, string> = {}) =>
  runCli(['auth', 'login', 'openai', '--with-api-key', ...flags], { env: env(extra), stdin: `${key}\n` });
const modelRequests = () => fake.requests.filter((r) => r.path === '/v1/models');

describe('auth login openai: the key is checked before it is stored', () => {
  it('an accepted key: one GET /v1/models with the key, then stored; status shows it masked (first 8 ... last 5, as codex login status)', async () => {
    const r = await login(GOOD);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(modelRequests()).toHaveLength(1);
    expect(modelRequests()[0]!.method).toBe('GET');
    expect(modelRequests()[0]!.headers.authorization).toBe(`Bearer ${GOOD}`);
    expect(r.stderr).toMatch(/accepted the key/);
    expect(JSON.parse(readFileSync(file(), 'utf8')).openai.api_key).toBe(GOOD);
    const st = await runCli(['auth', 'status'], { env: env() });
    expect(st.code).toBe(0);
    expect(st.stdout).toContain(`sk-proj-***${GOOD.slice(-5)}`);
    expect(st.stdout + st.stderr).not.toContain(GOOD);
  });

  it("a refused key (401) exits 3 with the server's reason and stores nothing", async () => {
    const r = await login('sk-proj-wrong-key-0000000000');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused the key \(HTTP 401\): Incorrect API key provided; nothing stored/);
    expect(r.stderr).toContain('(check the key at https://platform.openai.com/api-keys and pipe it again)');
    expect(r.stderr).not.toContain('sk-proj-wrong-key-0000000000');
    expect(existsSync(file())).toBe(false);
  });

  it('403 (a restricted key) exits 3, stores nothing and names --no-verify', async () => {
    await fake.close();
    fake = await startFakeBackend({
      apiKeys: [GOOD],
      apiModelsStep: {
        kind: 'http',
        status: 403,
        body: JSON.stringify({
          error: {
            message: 'You have insufficient permissions for this operation. Missing scopes: api.model.read.',
            type: 'invalid_request_error',
          },
        }),
      },
    });
    const r = await login(GOOD);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/HTTP 403/);
    expect(r.stderr).toMatch(/--no-verify/);
    expect(existsSync(file())).toBe(false);
  });

  it('network failure: stored with a warning; with --verify exit 6 and nothing stored', async () => {
    const down = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    const strict = await login(GOOD, ['--verify'], down);
    expect(strict.code).toBe(6);
    expect(strict.stderr).toMatch(/could not check the key: .*nothing stored \(--verify\)/);
    expect(existsSync(file())).toBe(false);
    const lenient = await login(GOOD, [], down);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/warning: could not check the key .*storing it unchecked/);
    expect(JSON.parse(readFileSync(file(), 'utf8')).openai.api_key).toBe(GOOD);
  });

  it('another status (500) gives no verdict: stored with a warning; --verify exits 5', async () => {
    await fake.close();
    fake = await startFakeBackend({
      apiKeys: [GOOD],
      apiModelsStep: { kind: 'http', status: 500, body: JSON.stringify({ error: { message: 'boom' } }) },
    });
    expect((await login(GOOD, ['--verify'])).code).toBe(5);
    expect(existsSync(file())).toBe(false);
    const r = await login(GOOD);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/HTTP 500/);
  });

  it('--no-verify stores without any request; --verify/--no-verify with chatgpt is a usage error', async () => {
    const r = await login('sk-proj-offline-key-000000000', ['--no-verify']);
    expect(r.code).toBe(0);
    expect(modelRequests()).toHaveLength(0);
    expect(JSON.parse(readFileSync(file(), 'utf8')).openai.api_key).toBe('sk-proj-offline-key-000000000');
    const c = await runCli(['auth', 'login', 'chatgpt', '--verify'], { env: env() });
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--verify applies to openai only/);
  });
});
