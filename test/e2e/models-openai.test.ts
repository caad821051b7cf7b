/**
 * The API-key (`openai`) model list end to end: `kolega models` asks the public API's
 * `GET {OPENAI_BASE_URL}/models` with the key (the fake enforces it), lists the bundled models the
 * key may use, caches the ids with the ETag under KOLEGA_HOME (revalidated with If-None-Match when
 * stale), falls back to the bundled list offline, and `kolega run` takes its default from the cache.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend, type FakeBackendOptions } from '../fakes/backend.js';
import { textAnswer } from '../fakes/sse-events.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { parseDocument } from '../helpers/doc-schema.js';
import type { ModelsDocument } from '../../src/cli/models/list.js';

let fake: FakeBackend;
let home: { dir: string; cleanup: () => void };

async function restart(opts: FakeBackendOptions = {}): Promise<void> {
  await fake?.close();
  fake = await startFakeBackend(opts);
}
beforeEach(async () => {
  home = tempDir();
  fake = undefined as unknown as FakeBackend;
  await restart();
});
afterEach(async () => {
  await fake.close();
  home.cleanup();
});

const env = (extra: Record<string, string> = {}) => ({
  KOLEGA_HOME: home.dir,
  OPENAI_API_KEY: 'test-key',
  OPENAI_BASE_URL: fake.openaiBaseUrl,
  ...extra,
});
const listGets = () => fake.requests.filter((r) => r.path === '/v1/models');
const cacheFile = () => path.join(home.dir, 'openai-models-cache.json');

describe('kolega models with an API key', () => {
  it("the key's /v1/models list decides the openai models; cached with its ETag; a stale cache is revalidated with If-None-Match", async () => {
    const r = await runCli(['models', '--json', '--provider', 'openai'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = parseDocument<ModelsDocument>('models', r.stdout);
    expect(doc.providers).toEqual([{ id: 'openai', has_credentials: true, source: 'live' }]);
    const ids = doc.models.map((m) => m.id);
    expect(ids[0]).toBe('gpt-6.2-sol');
    expect(ids).toContain('gpt-5.4-mini');
    expect(ids).not.toContain('text-embedding-3-small'); // other kinds of models are not offered
    expect(doc.models.every((m) => m.source === 'live')).toBe(true);
    expect(doc.models.find((m) => m.id === 'gpt-6.2-sol')).toMatchObject({
      is_default: true,
      context_window: 500000,
      efforts: ['low', 'medium', 'high', 'xhigh', 'max', 'ultra'],
    });

    expect(listGets()).toHaveLength(1);
    const req = listGets()[0]!;
    expect(req.method).toBe('GET');
    expect(req.status).toBe(200);
    expect(req.headers.authorization).toBe('Bearer test-key');
    expect(req.headers['user-agent']).toMatch(/^kolega\//);
    expect(req.headers).not.toHaveProperty('if-none-match');

    // cached (0600) with the ETag, never with the key
    expect(statSync(cacheFile()).mode & 0o777).toBe(0o600);
    const raw = readFileSync(cacheFile(), 'utf8');
    expect(raw).not.toContain('test-key');
    expect(JSON.parse(raw)).toMatchObject({ etag: '"fake-api-models-1"', base_url: fake.openaiBaseUrl });

    expect((await runCli(['models', '--provider', 'openai'], { env: env() })).code).toBe(0);
    expect(listGets()).toHaveLength(1); // fresh cache: no request

    const cache = JSON.parse(raw) as { fetched_at: string };
    cache.fetched_at = new Date(Date.now() - 6 * 60 * 1000).toISOString();
    writeFileSync(cacheFile(), JSON.stringify(cache));
    const stale = await runCli(['models', '--provider', 'openai'], { env: env() });
    expect(stale.code).toBe(0);
    expect(stale.stdout.split('\n')[0]).toBe('openai/gpt-6.2-sol');
    expect(listGets()).toHaveLength(2);
    expect(listGets()[1]!.headers['if-none-match']).toBe('"fake-api-models-1"');
    expect(listGets()[1]!.status).toBe(304);
    expect(
      Date.now() - Date.parse((JSON.parse(readFileSync(cacheFile(), 'utf8')) as { fetched_at: string }).fetched_at),
    ).toBeLessThan(5 * 60 * 1000);
  });

  it('a changed list (new ETag) replaces the cache; kolega run takes its default model from it', async () => {
    let etag = '"v1"';
    const ids = ['gpt-6.2-sol', 'gpt-5.5'];
    await restart({ apiModelsEtag: () => etag, apiModels: ids });
    expect((await runCli(['models', '--provider', 'openai'], { env: env() })).stdout).toBe(
      'openai/gpt-6.2-sol\nopenai/gpt-5.5\n',
    );
    etag = '"v2"';
    ids.splice(0, ids.length, 'gpt-5.5', 'gpt-5.4');
    const r = await runCli(['models', '--refresh', '--json', '--provider', 'openai'], { env: env() });
    expect(listGets()[1]!.headers['if-none-match']).toBe('"v1"');
    expect(listGets()[1]!.status).toBe(200);
    const doc = parseDocument<ModelsDocument>('models', r.stdout);
    expect(doc.models.map((m) => [m.id, m.is_default, m.in_catalogue])).toEqual([
      ['gpt-5.5', true, true],
      ['gpt-5.4', false, false],
    ]);
    expect(doc.default_model).toBe('openai/gpt-5.5');
    expect(JSON.parse(readFileSync(cacheFile(), 'utf8'))).toMatchObject({ etag: '"v2"', ids: ['gpt-5.5', 'gpt-5.4'] });

    // no -m: the first catalogue model the key may use
    fake.push({ kind: 'sse', events: textAnswer('ok') });
    const run = await runCli(['run', 'hi'], { env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(fake.requests.find((q) => q.path === '/v1/responses')!.body.model).toBe('gpt-5.5');
    // a model the key's list does not name is not offered for the key
    const refused = await runCli(['run', '-m', 'openai/gpt-6.2-sol', 'hi'], { env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/unknown model "openai\/gpt-6\.2-sol"/);
    // another key does not see this cache
    const other = await runCli(['run', '-m', 'openai/gpt-6.2-sol', 'hi'], {
      env: env({ OPENAI_API_KEY: 'other-key' }),
    });
    expect(other.stderr).not.toMatch(/unknown model/);
  });

  it('a refused key, a failing server or no server: the bundled list with one note, exit 0', async () => {
    const wrong = await runCli(['models', '--provider', 'openai'], { env: env({ OPENAI_API_KEY: 'wrong-key' }) });
    expect(wrong.code).toBe(0);
    expect(listGets()[0]!.status).toBe(401); // the fake enforces the key
    expect(wrong.stderr).toMatch(
      /^kolega: could not fetch the openai model list \(the model list was refused \(HTTP 401\)\); showing the bundled list\n$/,
    );
    expect(wrong.stdout.split('\n')[0]).toBe('openai/gpt-6.2-sol');

    await restart({ apiModelsStep: { kind: 'http', status: 500, body: '{"error":{"message":"boom"}}' } });
    const failing = await runCli(['models', '--json', '--provider', 'openai'], { env: env() });
    expect(failing.code).toBe(0);
    expect(failing.stderr).toMatch(/HTTP 500.*bundled/);
    expect(parseDocument<ModelsDocument>('models', failing.stdout).models.every((m) => m.source === 'bundled')).toBe(
      true,
    );

    const base = fake.openaiBaseUrl;
    await fake.close();
    const offline = await runCli(['models', '--provider', 'openai'], {
      env: { KOLEGA_HOME: home.dir, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: base },
    });
    expect(offline.code).toBe(0);
    expect(offline.stderr).toMatch(
      /could not fetch the openai model list \(cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\); showing the bundled list/,
    );
    expect(offline.stdout).toContain('openai/gpt-5.5\n');
    await restart();
  });

  it('a model the public API refuses (404 model_not_found) exits 5 naming the model and kolega models', async () => {
    fake.push({
      kind: 'http',
      status: 404,
      body: JSON.stringify({
        error: {
          message: 'The model `gpt-5.5` does not exist or you do not have access to it.',
          type: 'invalid_request_error',
          code: 'model_not_found',
        },
      }),
    });
    const r = await runCli(['run', '-m', 'openai/gpt-5.5', 'hi'], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/model "gpt-5\.5"/);
    expect(r.stderr).toMatch(/kolega models/);
    expect(fake.requests.filter((q) => q.path === '/v1/responses')).toHaveLength(1); // not retried
  });
});
