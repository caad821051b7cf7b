/**
 * Defects from the second adversarial pass: server JSON that is `null`, unreadable id_tokens,
 * issuer text with control characters, unusable API keys, and hostile live model lists or caches.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSendableKey } from '../../../../src/core/auth/api-key.js';
import { oneLine } from '../../../../src/core/auth/callback.js';
import { jsonObject } from '../../../../src/core/auth/json-object.js';
import { checkPlan } from '../../../../src/core/auth/plan.js';
import { modelsCachePath, readModelsCache } from '../../../../src/core/models/cache.js';
import { parseLiveModels } from '../../../../src/core/models/live.js';
import { runCli } from '../../../helpers/cli.js';
import { chatgptClaims, makeJwt } from '../../../helpers/tokens.js';

describe('auth inputs', () => {
  it('a JSON null, number or array body is not an object', () => {
    for (const t of ['null', '5', '[1]', '"s"']) expect(() => jsonObject(t), t).toThrow(SyntaxError);
    expect(jsonObject('{"a":1}')).toEqual({ a: 1 });
  });

  it('an id_token that is not a readable JWT is refused at sign-in', () => {
    expect(() => checkPlan('a.!!!.c')).toThrow(/not a readable JWT/);
    expect(() => checkPlan(makeJwt(chatgptClaims({ plan: 'free' })))).toThrow(/free/);
    expect(checkPlan(makeJwt(chatgptClaims({ plan: 'plus' })))).toMatchObject({ plan: 'plus', known: true });
  });

  it('issuer text is shown as one bounded printable line', () => {
    expect(oneLine('line1\nline2 \u001b[31mRED')).toBe('line1 line2  [31mRED');
    expect(oneLine('A'.repeat(5000))).toHaveLength(300);
  });

  it('only printable-ASCII keys can be stored or sent', () => {
    expect(isSendableKey('sk-proj-abc123')).toBe(true);
    for (const k of ['sk-a\u0000bc', 'sk-é€key', 'a'.repeat(513), ''])
      expect(isSendableKey(k), JSON.stringify(k.slice(0, 10))).toBe(false);
  });

  it('auth login openai rejects a key with control characters (exit 2) and kolega help __proto__ is exit 2', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'kolega-test-'));
    const r = await runCli(['auth', 'login', 'openai', '--with-api-key'], {
      env: { KOLEGA_HOME: home },
      stdin: 'sk-a\u0001bc\n',
    });
    expect(r.code).toBe(2);
    for (const topic of ['__proto__', 'constructor', 'toString']) {
      const h = await runCli(['help', topic], { env: { KOLEGA_HOME: home } });
      expect(h.code, topic).toBe(2);
      expect(h.stderr).not.toContain('bug');
    }
    rmSync(home, { recursive: true, force: true });
  });
});

describe('live model lists', () => {
  it('drops slugs that cannot be typed as provider/slug, and duplicates', () => {
    const models = parseLiveModels({
      models: [
        { slug: 'gpt-5.5' },
        { slug: 'gpt-5.5' },
        { slug: 'x\u001b[31mred' },
        { slug: 'a/b' },
        { slug: 'with space' },
        null,
        5,
        { slug: 7 },
        { slug: 'gpt-5.6-preview' },
      ],
    });
    expect(models.map((m) => m.slug)).toEqual(['gpt-5.5', 'gpt-5.6-preview']);
  });

  it('a cache with entries of the wrong shape is a miss, not a crash', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'kolega-test-'));
    const base = {
      version: 2,
      fetched_at: new Date().toISOString(),
      base_url: 'http://127.0.0.1:1/x',
      account_id: null,
      client_version: '0.1.0',
    };
    writeFileSync(modelsCachePath(home), JSON.stringify({ ...base, models: [null, 5, { slug: 7 }] }));
    expect(readModelsCache(home)).toBeUndefined();
    writeFileSync(modelsCachePath(home), JSON.stringify({ ...base, models: [{ slug: 'gpt-5.5', efforts: ['low'] }] }));
    expect(readModelsCache(home)?.models).toHaveLength(1);
    // a cache of an earlier kolega (version 1, no ETag) is a miss
    writeFileSync(
      modelsCachePath(home),
      JSON.stringify({ ...base, version: 1, models: [{ slug: 'gpt-5.5', efforts: ['low'] }] }),
    );
    expect(readModelsCache(home)).toBeUndefined();
    rmSync(home, { recursive: true, force: true });
  });
});
