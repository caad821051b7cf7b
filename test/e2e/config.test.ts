/**
 * `kolega config` end to end, and the model precedence of `kolega run`: flag > KOLEGA_MODEL >
 * saved settings > default; a stale saved value falls back with one note and never blocks a run.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { textAnswer } from '../fakes/sse-events.js';
import { runCli, tempDir } from '../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
beforeEach(() => {
  home = tempDir();
});
afterEach(() => home.cleanup());

const env = (extra: Record<string, string> = {}) => ({ KOLEGA_HOME: home.dir, ...extra });
const settingsFile = () => path.join(home.dir, 'settings.json');
const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { env: env(extra) });

describe('settings of the wrong type', () => {
  it.each([
    ['model', 42, 'a number'],
    ['effort', 5, 'a number'],
    ['provider', {}, 'an object'],
    ['codex_version', 1, 'a number'],
    ['transport', 42, 'a number'],
    ['sandbox_masked_paths', ['~/.x'], 'an array'],
  ] as const)('%s: kolega run exits 2 naming the file and the key, no request', async (key, value, found) => {
    const fake = await startFakeBackend();
    try {
      writeFileSync(settingsFile(), JSON.stringify({ [key]: value }));
      const r = await cli(['run', '--no-stdin', 'hi'], { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: fake.openaiBaseUrl });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${settingsFile()}: the setting "${key}" must be a string, not ${found}`);
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('config get names the file; config unset repairs it, keeping the other keys', async () => {
    writeFileSync(settingsFile(), JSON.stringify({ model: 42, effort: 'high' }));
    const get = await cli(['config', 'get', 'effort']);
    expect(get.code).toBe(2);
    expect(get.stderr).toContain(`${settingsFile()}: the setting "model"`);
    expect((await cli(['config', 'unset', 'model'])).code).toBe(0);
    expect(JSON.parse(readFileSync(settingsFile(), 'utf8'))).toEqual({ effort: 'high' });
    expect((await cli(['config', 'get', 'effort'])).stdout).toBe('high\n');
  });
});

describe('kolega config', () => {
  it('set, get, list, unset, path', async () => {
    expect((await cli(['config', 'path'])).stdout).toBe(settingsFile() + '\n');
    expect(await cli(['config', 'get', 'model'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await cli(['config', 'set', 'model', 'openai/gpt-5.4'])).code).toBe(0);
    expect((await cli(['config', 'set', 'effort', 'high'])).code).toBe(0);
    expect((await cli(['config', 'set', 'provider', 'openai'])).code).toBe(0);
    expect((await cli(['config', 'get', 'model'])).stdout).toBe('openai/gpt-5.4\n');
    expect((await cli(['config', 'list'])).stdout).toBe('model=openai/gpt-5.4\neffort=high\nprovider=openai\n');
    const json = JSON.parse((await cli(['config', 'list', '--json'])).stdout);
    expect(json).toEqual({
      path: settingsFile(),
      settings: { model: 'openai/gpt-5.4', effort: 'high', provider: 'openai' },
    });
    expect(statSync(settingsFile()).mode & 0o777).toBe(0o600);
    expect(statSync(home.dir).mode & 0o777).toBe(0o700);
    expect((await cli(['config', 'unset', 'effort'])).code).toBe(0);
    expect((await cli(['config', 'unset', 'effort'])).code).toBe(0); // idempotent
    expect(JSON.parse(readFileSync(settingsFile(), 'utf8'))).toEqual({ model: 'openai/gpt-5.4', provider: 'openai' });
  });

  it('keeps unknown keys written by someone else', async () => {
    writeFileSync(settingsFile(), JSON.stringify({ theme: 'dark' }));
    expect((await cli(['config', 'set', 'model', 'gpt-5.4-mini'])).code).toBe(0);
    expect(JSON.parse(readFileSync(settingsFile(), 'utf8'))).toEqual({ theme: 'dark', model: 'gpt-5.4-mini' });
  });

  it.each([
    [['config', 'set', 'model', 'gpt-4o'], /unknown model "gpt-4o".*valid models: .*openai_chatgpt\/gpt-5\.5/],
    [['config', 'set', 'model', 'openai/gpt-5.3-codex-spark'], /unknown model "openai\/gpt-5\.3-codex-spark"/],
    [['config', 'set', 'provider', 'azure'], /unknown provider "azure" \(valid: openai_chatgpt, openai\)/],
    [['config', 'set', 'effort', 'minimal'], /effort "minimal" is not offered by any model/],
    [['config', 'set', 'effort', 'turbo'], /unknown effort "turbo"/],
    [['config', 'set', 'model', ' '], /is empty/],
    [['config', 'get', 'colour'], /value 'colour' is invalid.*choices are model, effort, provider, codex_version/],
    [['config', 'set', 'codex_version', '0.171'], /"0\.171" is not a version like 0\.171\.0/],
    [['config', 'set', 'api_key', 'sk-x'], /value 'api_key' is invalid/],
  ])('%j exits 2 and changes nothing', async (args, message) => {
    writeFileSync(settingsFile(), '{"model":"gpt-5.4"}');
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(readFileSync(settingsFile(), 'utf8')).toBe('{"model":"gpt-5.4"}');
  });

  it('a corrupt settings file exits 2 naming it, and is never overwritten', async () => {
    writeFileSync(settingsFile(), Buffer.alloc(4146));
    for (const args of [
      ['config', 'get', 'model'],
      ['config', 'set', 'model', 'gpt-5.4'],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(settingsFile());
      expect(r.stderr).toContain('corrupt');
    }
    expect(readFileSync(settingsFile())).toEqual(Buffer.alloc(4146));
  });
});

describe('concurrent writers (peer-failures B35 d)', () => {
  it('20 parallel `config set` never leave a partial or invalid file for a reader', { timeout: 120_000 }, async () => {
    writeFileSync(settingsFile(), '{"model":"gpt-5.4"}');
    let reads = 0;
    let bad = '';
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const text = readFileSync(settingsFile(), 'utf8');
        try {
          JSON.parse(text);
        } catch {
          bad = text;
        }
        reads++;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const values = ['gpt-5.5', 'gpt-5.4', 'gpt-5.4-mini', 'openai/gpt-5.5'];
    // 20 node processes at once take many seconds on a loaded two-core machine: no kill timer
    // short enough to cut one off (the lock waits up to 45 s by design).
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        runCli(['config', 'set', 'model', values[i % values.length]!], { env: env(), killAfterMs: 100_000 }),
      ),
    );
    stop = true;
    await reader;
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0));
    expect(bad).toBe('');
    expect(reads).toBeGreaterThan(10);
    expect(values).toContain(JSON.parse(readFileSync(settingsFile(), 'utf8')).model);
    expect(readdirSync(home.dir)).toEqual(['settings.json']); // no temp files left behind
  });
});

describe('model precedence in kolega run', () => {
  let fake: FakeBackend;
  beforeEach(async () => {
    fake = await startFakeBackend({ fallback: { kind: 'sse', events: textAnswer('ok') } });
  });
  afterEach(() => fake.close());
  const runEnv = (extra: Record<string, string> = {}) => ({
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: fake.openaiBaseUrl,
    ...extra,
  });
  const lastBody = () => fake.requests[fake.requests.length - 1]!.body;

  it('flag > KOLEGA_MODEL > settings > default', async () => {
    let r = await cli(['run', 'hi'], runEnv());
    expect(r.code).toBe(0);
    expect(lastBody().model).toBe('gpt-6.2-sol'); // the catalogue's first listed model

    await cli(['config', 'set', 'model', 'gpt-5.4']);
    await cli(['config', 'set', 'effort', 'high']);
    r = await cli(['run', 'hi'], runEnv());
    expect(r.code).toBe(0);
    expect(lastBody()).toMatchObject({ model: 'gpt-5.4', reasoning: { effort: 'high' } });

    r = await cli(['run', 'hi'], runEnv({ KOLEGA_MODEL: 'gpt-5.4-mini' }));
    expect(lastBody().model).toBe('gpt-5.4-mini');

    r = await cli(['run', '-m', 'openai/gpt-5.5', '-e', 'low', 'hi'], runEnv({ KOLEGA_MODEL: 'gpt-5.4-mini' }));
    expect(r.code).toBe(0);
    expect(lastBody()).toMatchObject({ model: 'gpt-5.5', reasoning: { effort: 'low' } });
    expect(r.stderr).toBe('');
  });

  it('a stale saved model, provider and effort fall back with notes and never block the run', async () => {
    writeFileSync(
      settingsFile(),
      JSON.stringify({ model: 'gpt-4-retired', provider: 'anthropic', effort: 'ludicrous' }),
    );
    const r = await cli(['run', 'hi'], runEnv());
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok\n');
    expect(lastBody()).toMatchObject({ model: 'gpt-6.2-sol', reasoning: { effort: 'low' } });
    const notes = r.stderr.trim().split('\n');
    expect(notes).toHaveLength(3);
    expect(r.stderr).toContain('saved model "gpt-4-retired" no longer exists; using the default');
    expect(r.stderr).toContain('saved provider "anthropic" no longer exists');
    expect(r.stderr).toContain('saved effort "ludicrous"');
  });

  it('an unknown KOLEGA_MODEL is a usage error (exit 2), unlike a stale saved one', async () => {
    const r = await cli(['run', 'hi'], runEnv({ KOLEGA_MODEL: 'gpt-4-retired' }));
    expect(r.code).toBe(2);
    expect(fake.requests).toHaveLength(0);
  });
});
