/**
 * Live test against the real ChatGPT backend with EXISTING credentials (it signs nothing in):
 * one turn with a tool call. Skipped unless KOLEGA_LIVE=1 and a ChatGPT sign-in is stored in
 * KOLEGA_HOME (or the default home). Never run by CI:
 *   KOLEGA_LIVE=1 npx vitest run -c test/live/vitest.config.ts
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kolegaHome, credentialsPath } from '../../src/core/store/paths.js';
import { runCli } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';

const home = kolegaHome(process.env);
const file = credentialsPath(home);
const signedIn =
  existsSync(file) &&
  (() => {
    try {
      return Boolean(JSON.parse(readFileSync(file, 'utf8')).chatgpt?.access_token);
    } catch {
      return false;
    }
  })();
const enabled = process.env.KOLEGA_LIVE === '1' && signedIn;

describe.skipIf(!enabled)('live ChatGPT turn', () => {
  it('runs one real turn with a tool call', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kolega-live-'));
    try {
      writeFileSync(path.join(dir, 'secret-word.txt'), 'pelican\n');
      const r = await runCli(
        [
          'run',
          '--json',
          '-C',
          dir,
          'Use the read_file tool to read secret-word.txt, then answer with just the word in it.',
        ],
        {
          env: { KOLEGA_HOME: home, HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY },
          killAfterMs: 170_000,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      const events = parseEvents(r.stdout);
      expect(events.some((e) => e.type === 'tool.call' && e.name === 'read_file')).toBe(true);
      const done = events.at(-1)!;
      expect(done.type).toBe('turn.completed');
      expect(String(done.final_text).toLowerCase()).toContain('pelican');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
