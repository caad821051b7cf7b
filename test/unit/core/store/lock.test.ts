/** The store under concurrency (docs/design.md "Stored state"): locked read-change-write loses nothing. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readCredentials, updateCredentials } from '../../../../src/core/store/credentials.js';
import { readSettings, updateSettings } from '../../../../src/core/store/settings.js';
import { withCredentialsLock } from '../../../../src/core/store/lock.js';
import { tempDir } from '../../../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
beforeEach(() => {
  home = tempDir();
});
afterEach(() => home.cleanup());

it('20 concurrent settings updates keep every key', async () => {
  await Promise.all(Array.from({ length: 20 }, (_, i) => updateSettings(home.dir, (s) => ({ ...s, [`k${i}`]: i }))));
  const s = readSettings(home.dir);
  for (let i = 0; i < 20; i++) expect(s[`k${i}`]).toBe(i);
  expect(() => JSON.parse(readFileSync(path.join(home.dir, 'settings.json'), 'utf8'))).not.toThrow();
});

it('the credentials lock serializes critical sections', async () => {
  let inside = 0;
  let maxInside = 0;
  await Promise.all(
    Array.from({ length: 8 }, () =>
      withCredentialsLock(home.dir, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 10));
        inside--;
      }),
    ),
  );
  expect(maxInside).toBe(1);
});

it('concurrent credential updates keep both providers', async () => {
  await Promise.all([
    updateCredentials(home.dir, (c) => ({ ...c, openai: { api_key: 'sk-a-1234567890', saved_at: 'x' } })),
    updateCredentials(home.dir, (c) => ({
      ...c,
      chatgpt: { id_token: 'i', access_token: 'a', refresh_token: 'r', account_id: null, last_refresh: 'x' },
    })),
  ]);
  const c = readCredentials(home.dir);
  expect(c.openai?.api_key).toBe('sk-a-1234567890');
  expect(c.chatgpt?.access_token).toBe('a');
});
