/**
 * `kolega models` end to end: bundled catalogue offline, live list from the fake `/models` when
 * signed in with ChatGPT (cache, --refresh, fallbacks), output forms, schema.
 */
import { spawnSync } from 'node:child_process';
import { statSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveModel, startFakeBackend, DEFAULT_LIVE_MODELS, type FakeBackend } from '../fakes/backend.js';
import { BIN, baseEnv, runCli, tempDir } from '../helpers/cli.js';
import { textAnswer } from '../fakes/sse-events.js';
import { parseDocument } from '../helpers/doc-schema.js';
import { writeChatGPTCredentials } from '../helpers/tokens.js';
import type { ModelsDocument } from '../../src/cli/models/list.js';

let fake: FakeBackend;
let home: { dir: string; cleanup: () => void };

beforeEach(async () => {
  home = tempDir();
  fake = await startFakeBackend({
    accountId: 'acct-test-1',
    models: [...DEFAULT_LIVE_MODELS, liveModel('gpt-5.6-preview', 'GPT-5.6 Preview', 'high', 0, ['medium', 'high'])],
  });
});
afterEach(async () => {
  await fake.close();
  home.cleanup();
});

// The issuer is the local fake too (a token refresh after a 401 must never leave 127.0.0.1).
const env = (extra: Record<string, string> = {}) => ({
  KOLEGA_HOME: home.dir,
  KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl,
  KOLEGA_AUTH_ISSUER: fake.url,
  ...extra,
});
const modelRequests = () => fake.requests.filter((r) => r.path === '/backend-api/codex/models');

describe('kolega models (not signed in)', () => {
  it('prints one provider/model per line when piped, bundled list, no request', async () => {
    const r = await runCli(['models'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const chatgpt = [
      'gpt-6.2-sol',
      'gpt-6.2-astra',
      'gpt-6.1-terra',
      'gpt-6.1-sol',
      'gpt-6-astra',
      'gpt-6-sol',
      'gpt-6-luna',
      'gpt-5.6-sol',
      'gpt-5.6-terra',
      'gpt-5.6-luna',
      'gpt-5.5',
    ]; // the Codex 0.171 catalogue's listed models in priority order (hidden ones left out)
    expect(r.stdout.split('\n')).toEqual([
      ...chatgpt.map((m) => `openai_chatgpt/${m}`),
      'openai_chatgpt/gpt-5.4',
      'openai_chatgpt/gpt-5.4-mini',
      'openai_chatgpt/gpt-5.3-codex-spark',
      ...chatgpt.map((m) => `openai/${m}`),
      'openai/gpt-5.4',
      'openai/gpt-5.4-mini',
      '',
    ]);
    expect(fake.requests).toHaveLength(0);
  });

  it('--json validates against schema/models.schema.json', async () => {
    const r = await runCli(['models', '--json'], {
      env: env({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.openaiBaseUrl }),
    });
    expect(r.code).toBe(0);
    const doc = parseDocument<ModelsDocument>('models', r.stdout);
    expect(doc.default_model).toBe('openai/gpt-6.2-sol');
    expect(doc.providers).toEqual([
      { id: 'openai_chatgpt', has_credentials: false, source: 'bundled' },
      { id: 'openai', has_credentials: true, source: 'live' },
    ]);
    const spark = doc.models.find((m) => m.id === 'gpt-5.3-codex-spark')!;
    expect(spark).toMatchObject({
      provider: 'openai_chatgpt',
      is_default: false,
      source: 'bundled',
      in_catalogue: false,
      efforts: ['low', 'medium', 'high', 'xhigh'],
      default_effort: 'medium',
      max_output_tokens: 32000,
    });
    expect(doc.models.find((m) => m.id === 'gpt-6.2-sol')).toMatchObject({
      is_default: true,
      in_catalogue: true,
      context_window: 500000,
      efforts: ['low', 'medium', 'high', 'xhigh', 'max', 'ultra'],
      default_effort: 'low',
    });
    expect(doc.models.filter((m) => m.is_default).map((m) => `${m.provider}/${m.id}`)).toEqual([
      'openai_chatgpt/gpt-6.2-sol',
      'openai/gpt-6.2-sol',
    ]);
    for (const m of doc.models) expect(m.context_window).toBeGreaterThan(0);
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v script']).status !== 0)(
    'on a terminal: a table with defaults marked and credentials listed',
    () => {
      // util-linux `script` gives the CLI a pseudo-terminal as stdout
      const r = spawnSync(
        'script',
        ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} models`, '/dev/null'],
        {
          env: baseEnv({
            KOLEGA_HOME: home.dir,
            OPENAI_API_KEY: 'test-key',
            OPENAI_BASE_URL: fake.openaiBaseUrl,
            TERM: 'dumb',
          }),
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      expect(r.status).toBe(0);
      const out = r.stdout.replace(/\r/g, '');
      expect(out).toMatch(/^\s+MODEL\s+LABEL\s+CONTEXT\s+MAX OUT\s+EFFORTS \(\* default\)\s+SOURCE$/m);
      expect(out).toMatch(
        /^ \*\s+openai_chatgpt\/gpt-6\.2-sol\s+GPT-6\.2-Sol\s+500k\s+-\s+low\* medium high xhigh max ultra\s+bundled$/m,
      );
      expect(out).toMatch(
        /^\s+openai_chatgpt\/gpt-5\.5\s+GPT-5\.5\s+272k\s+128k\s+low medium\* high xhigh\s+bundled$/m,
      );
      expect(out).toMatch(/^\s+openai_chatgpt\/gpt-5\.4\s+GPT-5\.4\s+272k\s+128k\s+low medium high xhigh\*\s+legacy$/m);
      expect(out).toMatch(/^>\*\s+openai\/gpt-6\.2-sol\s/m);
      expect(out).toContain('providers: openai_chatgpt (no credentials), openai (credentials present)');
    },
  );

  it('--provider filters; an unknown provider exits 2', async () => {
    const r = await runCli(['models', '--provider', 'openai'], { env: env() });
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['openai/gpt-6.2-sol', 'openai/gpt-6.2-astra']);
    expect(r.stdout.split('\n').every((l) => l === '' || l.startsWith('openai/'))).toBe(true);
    const bad = await runCli(['models', '--provider', 'anthropic'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown provider "anthropic"');
    expect(bad.stdout).toBe('');
  });
});

describe('kolega models (signed in with ChatGPT)', () => {
  it('merges the live list, sends auth headers and client_version, and caches it for 5 minutes', async () => {
    const token = writeChatGPTCredentials(home.dir);
    const r = await runCli(['models', '--json', '--provider', 'openai_chatgpt'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = parseDocument<ModelsDocument>('models', r.stdout);
    expect(doc.providers).toEqual([{ id: 'openai_chatgpt', has_credentials: true, source: 'live' }]);
    const ids = doc.models.map((m) => m.id);
    // live models in priority order (hidden dropped), then the bundled ones the live list lacks
    expect(ids.slice(0, 4)).toEqual(['gpt-5.6-preview', 'gpt-6.2-sol', 'gpt-6.2-astra', 'gpt-6.1-terra']);
    expect(ids).not.toContain('codex-auto-review');
    expect(ids.slice(-3)).toEqual(['gpt-5.4', 'gpt-5.4-mini', 'gpt-5.3-codex-spark']);
    expect(doc.models.filter((m) => m.source === 'bundled').map((m) => m.id)).toEqual([
      'gpt-5.4',
      'gpt-5.4-mini',
      'gpt-5.3-codex-spark',
    ]);
    // the first listed model is the default
    expect(doc.models[0]).toMatchObject({
      label: 'GPT-5.6 Preview',
      efforts: ['medium', 'high'],
      default_effort: 'high',
      max_output_tokens: null,
      is_default: true,
    });
    expect(doc.models.find((m) => m.id === 'gpt-5.5')).toMatchObject({
      label: 'GPT-5.5',
      is_default: false,
      max_output_tokens: 128000,
      source: 'live',
    });

    expect(modelRequests()).toHaveLength(1);
    const req = modelRequests()[0]!;
    expect(req.method).toBe('GET');
    expect(req.status).toBe(200);
    expect(req.query).toBe('client_version=0.171.0');
    expect(req.headers.version).toBe('0.171.0');
    expect(req.headers.originator).toBe('codex_exec');
    expect(req.headers.authorization).toBe(`Bearer ${token}`);
    expect(req.headers['chatgpt-account-id']).toBe('acct-test-1');

    const cacheFile = path.join(home.dir, 'models-cache.json');
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    const again = await runCli(['models'], { env: env() });
    expect(again.stdout.split('\n')[0]).toBe('openai_chatgpt/gpt-5.6-preview');
    expect(modelRequests()).toHaveLength(1); // served from the cache

    const refreshed = await runCli(['models', '--refresh'], { env: env() });
    expect(refreshed.code).toBe(0);
    expect(modelRequests()).toHaveLength(2);

    // an expired cache is fetched again
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
    cache.fetched_at = new Date(Date.now() - 6 * 60 * 1000).toISOString();
    writeFileSync(cacheFile, JSON.stringify(cache));
    await runCli(['models'], { env: env() });
    expect(modelRequests()).toHaveLength(3);
  });

  it('run and config accept a live-only model once kolega models has cached the list', async () => {
    writeChatGPTCredentials(home.dir);
    const before = await runCli(['run', '-m', 'gpt-5.6-preview', 'hi'], { env: env() });
    expect(before.code).toBe(2);
    expect(before.stderr).toContain('unknown model "gpt-5.6-preview"');
    expect((await runCli(['config', 'set', 'model', 'gpt-5.6-preview'], { env: env() })).code).toBe(2);

    expect((await runCli(['models'], { env: env() })).code).toBe(0);
    fake.push({ kind: 'sse', events: textAnswer('live!') });
    const r = await runCli(['run', '-m', 'openai_chatgpt/gpt-5.6-preview', 'hi'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const body = fake.requests.find((q) => q.path === '/backend-api/codex/responses')!.body;
    expect(body).toMatchObject({ model: 'gpt-5.6-preview', reasoning: { effort: 'high' } }); // the live default effort
    expect((await runCli(['config', 'set', 'model', 'gpt-5.6-preview'], { env: env() })).code).toBe(0);
    const bad = await runCli(['run', '-m', 'gpt-5.6-preview', '-e', 'low', 'hi'], { env: env() });
    expect(bad.code).toBe(2); // the live list offers medium and high only
    expect(bad.stderr).toContain('valid for gpt-5.6-preview: medium, high');

    // the cache belongs to one account: another sign-in does not see it
    writeChatGPTCredentials(home.dir, { accountId: 'acct-other' });
    const other = await runCli(['run', '-m', 'gpt-5.6-preview', 'hi'], { env: env() });
    expect(other.code).toBe(2);
  });

  it('falls back to the bundled list with one stderr note when /models fails', async () => {
    writeChatGPTCredentials(home.dir);
    await fake.close();
    fake = await startFakeBackend({ modelsStep: { kind: 'http', status: 500, body: '{"detail":"boom"}' } });
    const r = await runCli(['models', '--json'], { env: env() });
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/could not fetch the live model list .*HTTP 500.*bundled/);
    const doc = parseDocument<ModelsDocument>('models', r.stdout);
    expect(doc.models.every((m) => m.source === 'bundled')).toBe(true);
    expect(modelRequests()).toHaveLength(1);
  });

  it('falls back when the token is refused (the fake requires the same auth as /responses)', async () => {
    writeChatGPTCredentials(home.dir, { accessToken: 'not-accepted' });
    await fake.close();
    fake = await startFakeBackend({ chatgptTokens: ['only-this-one'] });
    const r = await runCli(['models'], { env: env() });
    expect(r.code).toBe(0);
    expect(modelRequests()[0]!.status).toBe(401);
    // 401, or (once the token manager refreshes after a 401) the failed renewal
    expect(r.stderr).toMatch(
      /^kolega: could not fetch the live model list \(.*(401|renew|refresh|sign in).*\); showing the bundled list\n$/i,
    );
    expect(r.stdout.split('\n')[0]).toBe('openai_chatgpt/gpt-6.2-sol');
  });

  it('falls back when offline (connection refused), quickly', async () => {
    writeChatGPTCredentials(home.dir);
    const base = fake.chatgptBaseUrl;
    await fake.close();
    const r = await runCli(['models'], {
      env: { KOLEGA_HOME: home.dir, KOLEGA_CHATGPT_BASE_URL: base, KOLEGA_AUTH_ISSUER: 'http://127.0.0.1:1' },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^kolega: could not fetch the live model list \(cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\); showing the bundled list\n$/,
    );
    expect(r.stdout).toContain('openai_chatgpt/gpt-5.3-codex-spark\n');
  });

  it('a /models request that never answers falls back after the idle timeout (never hangs)', async () => {
    writeChatGPTCredentials(home.dir);
    await fake.close();
    fake = await startFakeBackend({ modelsStep: { kind: 'stall' } });
    const r = await runCli(['models'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/could not fetch the live model list .*idle timeout/);
    expect(r.ms).toBeLessThan(15_000);
  });

  it('a corrupt credentials file exits 2 naming the file', async () => {
    writeFileSync(path.join(home.dir, 'credentials.json'), '{"chatgpt": {"access_token": "ey');
    const r = await runCli(['models'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(path.join(home.dir, 'credentials.json'));
  });
});
