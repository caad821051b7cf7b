/**
 * A write error on stdout other than a closed pipe (a full disk: stdout opened on /dev/full) is one
 * line on stderr and status 1, never a stack trace and never a success; a reader that closed at
 * once (EPIPE) stays quiet with status 141, --version (answered by bin/kolega itself) included.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, baseEnv } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { textAnswer } from '../fakes/sse-events.js';

const t = useFakeBackend();
const FULL = '/dev/full';
const LINE =
  'kolega: cannot write to stdout (ENOSPC: no space left on device): free space or redirect the output elsewhere\n';

/** Runs bin/kolega with stdout opened on /dev/full; resolves with its status and stderr. */
function intoFullDisk(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stderr: string }> {
  const fd = fs.openSync(FULL, 'w');
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: baseEnv(env),
    stdio: ['ignore', fd, 'pipe'],
  });
  fs.closeSync(fd);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe.skipIf(!fs.existsSync(FULL))('stdout on a full disk (/dev/full)', () => {
  it('run and run --json: one line, exit 1', async () => {
    t.fake.push({ kind: 'sse', events: textAnswer('fine') });
    expect(await intoFullDisk(['run', 'hi'], t.env())).toEqual({ code: 1, stderr: LINE });
    t.fake.push({ kind: 'sse', events: textAnswer('fine') });
    expect(await intoFullDisk(['run', '--json', 'hi'], t.env())).toEqual({ code: 1, stderr: LINE });
  });

  it.each([['--version'], ['config', 'path'], ['completion', 'bash'], ['help', 'run'], ['doctor', '--help']])(
    '%s %s: one line, exit 1',
    async (...args: string[]) => {
      expect(await intoFullDisk(args, t.env())).toEqual({ code: 1, stderr: LINE });
    },
  );

  it('models and models --json (fake backend): one line, exit 1', async () => {
    for (const args of [['models'], ['models', '--json']]) {
      const r = await intoFullDisk(args, t.env());
      expect(r).toEqual({ code: 1, stderr: LINE });
    }
  });

  it('a command that fails with its own status keeps it, and says what stdout lost', async () => {
    const r = await intoFullDisk(['auth', 'status', '--json'], t.env({ OPENAI_API_KEY: undefined }));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(LINE);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('stdout closed by its reader at once', () => {
  it('--version | (reader gone): status 141, nothing on stderr', async () => {
    const child = spawn(process.execPath, [BIN, '--version'], {
      cwd: REPO_ROOT,
      env: baseEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
  });
});
