/** The API-key model list: parsing `/v1/models`, the cache's strictness, the merge with the bundled catalogue. */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeOpenAILive } from '../../../../src/core/models/known.js';
import {
  keyFingerprint,
  openaiModelsCachePath,
  readOpenAIModelsCache,
} from '../../../../src/core/models/openai-cache.js';
import { parseOpenAIModels } from '../../../../src/core/models/openai-live.js';
import { tempDir } from '../../../helpers/cli.js';

describe('parseOpenAIModels', () => {
  it('keeps usable ids in order, once; rejects a body without data', () => {
    expect(
      parseOpenAIModels({
        object: 'list',
        data: [
          { id: 'gpt-5.5' },
          { id: 'gpt-5.5' },
          { id: 'bad id/with slash' },
          null,
          { nope: 1 },
          { id: 'gpt-6.2-sol' },
        ],
      }),
    ).toEqual(['gpt-5.5', 'gpt-6.2-sol']);
    expect(() => parseOpenAIModels({ models: [] })).toThrow(/no "data" array/);
    expect(() => parseOpenAIModels(null)).toThrow(/no "data" array/);
  });
});

describe('the openai models cache', () => {
  it('a hostile or foreign cache is a miss, never an error; the key is kept only as a fingerprint', () => {
    const home = tempDir();
    try {
      const good = {
        version: 1,
        fetched_at: new Date().toISOString(),
        base_url: 'http://127.0.0.1:1/v1',
        key_id: keyFingerprint('sk-test'),
        ids: ['gpt-5.5'],
      };
      writeFileSync(openaiModelsCachePath(home.dir), JSON.stringify(good));
      expect(readOpenAIModelsCache(home.dir)).toEqual(good);
      for (const bad of [
        { ...good, ids: ['a/b'] },
        { ...good, ids: 'gpt-5.5' },
        { ...good, version: 2 },
        { ...good, etag: 5 },
      ]) {
        writeFileSync(openaiModelsCachePath(home.dir), JSON.stringify(bad));
        expect(readOpenAIModelsCache(home.dir)).toBeUndefined();
      }
      writeFileSync(openaiModelsCachePath(home.dir), '{"version": 1, "ids": [');
      expect(readOpenAIModelsCache(home.dir)).toBeUndefined();
      expect(keyFingerprint('sk-test')).toMatch(/^[0-9a-f]{16}$/);
      expect(keyFingerprint('sk-test')).not.toBe(keyFingerprint('sk-test2'));
    } finally {
      home.cleanup();
    }
  });
});

describe('mergeOpenAILive', () => {
  it('the bundled models the list names, in catalogue order; the whole bundled list when it names none', () => {
    expect(mergeOpenAILive(['gpt-5.4', 'whisper-1', 'gpt-5.5', 'gpt-6.1-sol']).map((m) => m.id)).toEqual([
      'gpt-6.1-sol',
      'gpt-5.5',
      'gpt-5.4',
    ]);
    const all = mergeOpenAILive(['llama-3']);
    expect(all[0]!.id).toBe('gpt-6.2-sol');
    expect(all.map((m) => m.id)).not.toContain('gpt-5.3-codex-spark'); // ChatGPT-only
  });
});
