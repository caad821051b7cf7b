/** `kolega run - < somedir`: the error names the directory instead of an empty prompt. */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, baseEnv, collect } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { parseEvents } from '../helpers/schema.js';

const t = useFakeBackend();

describe('stdin is a directory', () => {
  it('exits 2 saying stdin is a directory (one turn.failed with --json)', async () => {
    const fd = openSync(t.home, 'r');
    try {
      const env = { KOLEGA_HOME: t.home, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: t.fake.openaiBaseUrl };
      const child = spawn(process.execPath, [BIN, 'run', '--json', '-'], {
        cwd: REPO_ROOT,
        env: baseEnv(env) as NodeJS.ProcessEnv,
        stdio: [fd, 'pipe', 'pipe'],
      });
      const r = await collect(child);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/stdin is a directory, not a prompt/);
      expect(parseEvents(r.stdout)).toEqual([
        expect.objectContaining({ type: 'turn.failed', error: expect.objectContaining({ code: 'stdin_unreadable' }) }),
      ]);
    } finally {
      closeSync(fd);
    }
  });
});
