/**
 * `npm run fake` (scripts/fake.ts) serves the bundled fake until SIGINT and prints the `export` lines
 * on stdout; `kolega run` with those variables gets an answer. The test runs the script directly:
 * `npm run fake` would rebuild dist/ under the other test files.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

describe('npm run fake', () => {
  it('prints OPENAI_BASE_URL on 127.0.0.1, serves kolega run, stops on SIGINT', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/fake.ts')], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exports = await new Promise<Record<string, string>>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/KOLEGA_HOME=.*\n/.test(out)) {
          resolve(Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!])));
        }
      });
      child.on('close', () => reject(new Error(`fake exited early: ${out}`)));
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      expect(exports.OPENAI_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const r = await runCli(['run', 'hi'], { env: { ...exports } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Fake answer: /);
    } finally {
      child.kill('SIGINT');
    }
    expect(await closed).toBe(0);
    rmSync(exports.KOLEGA_HOME!, { recursive: true, force: true });
  });
});
