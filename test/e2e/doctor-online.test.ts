/**
 * `kolega doctor --online`: the check `auth.online` sends one authenticated
 * request with the credentials `kolega run` would use. Without --online, no such request is made.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { parseDocument } from '../helpers/doc-schema.js';
import { writeChatGPTCredentials } from '../helpers/tokens.js';
import type { DoctorDocument } from '../../src/cli/doctor/run.js';

const API_KEY = 'sk-proj-doctor-online-0123456789';
let fake: FakeBackend;
let home: { dir: string; cleanup: () => void };

beforeEach(async () => {
  home = tempDir();
  fake = await startFakeBackend({ apiKeys: [API_KEY] });
});
afterEach(async () => {
  await fake.close();
  home.cleanup();
});

async function doctor(extra: Record<string, string>, args: string[] = ['--online']) {
  const env = {
    KOLEGA_HOME: home.dir,
    KOLEGA_AUTH_ISSUER: fake.url,
    KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl,
    OPENAI_BASE_URL: fake.openaiBaseUrl,
    ...extra,
  };
  const r = await runCli(['doctor', '--json', '--timeout', '5', ...args], { env });
  expect(r.stdout).not.toContain(API_KEY);
  const doc = parseDocument<DoctorDocument>('doctor', r.stdout);
  return { r, doc, online: doc.checks.find((c) => c.id === 'auth.online') };
}

describe('doctor --online', () => {
  it('an accepted API key: auth.online ok after one GET /v1/models with it; exit 0', async () => {
    const { r, online } = await doctor({ OPENAI_API_KEY: API_KEY });
    expect(online).toMatchObject({ status: 'ok', class: 'auth', details: { provider: 'openai', result: 'valid' } });
    const reqs = fake.requests.filter((q) => q.path === '/v1/models');
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(r.code, r.stdout).toBe(0);
  });

  it('a refused API key: auth.online fails with class auth, exit 3', async () => {
    const { r, doc, online } = await doctor({ OPENAI_API_KEY: 'sk-proj-revoked-key-000000000' });
    expect(online).toMatchObject({ status: 'fail', class: 'auth', details: { result: 'rejected' } });
    expect(online!.message).toMatch(/OPENAI_API_KEY: the OpenAI API refused the key \(HTTP 401\)/);
    expect(doc.exit_code).toBe(3);
    expect(r.code).toBe(3);
  });

  it('a ChatGPT sign-in is checked with the live model list', async () => {
    writeChatGPTCredentials(home.dir);
    const { r, online } = await doctor({});
    expect(online).toMatchObject({ status: 'ok', details: { provider: 'openai_chatgpt', result: 'valid' } });
    expect(fake.requests.filter((q) => q.path === '/backend-api/codex/models')).toHaveLength(1);
    expect(r.code, r.stdout).toBe(0);
  });

  it('without --online there is no auth.online check and no authenticated request', async () => {
    const { doc } = await doctor({ OPENAI_API_KEY: API_KEY }, []);
    expect(doc.checks.some((c) => c.id === 'auth.online')).toBe(false);
    expect(fake.requests.filter((q) => q.path === '/v1/models')).toHaveLength(0);
  });

  it('an unreachable API: auth.online fails with class network (after network.openai), exit 6', async () => {
    const { r, online } = await doctor({ OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(online).toMatchObject({ status: 'fail', class: 'network', details: { result: 'unchecked' } });
    expect(r.code).toBe(6);
  });
});
