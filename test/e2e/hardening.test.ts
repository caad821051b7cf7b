/**
 * Defects found by adversarial testing, each replayed through the real binary: tool confinement
 * of grep (symlinks), runaway patterns and FIFOs that must not outlive --timeout, stored state that
 * must never be rewritten when not understood, secrets echoed by a server, bad proxy and timeout
 * values, malformed stream fields, and output paths checked before a paid request.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeBackend } from '../fakes/backend.js';
import { ev, textAnswer, toolCall, toSse } from '../fakes/sse-events.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { parseEvents } from '../helpers/schema.js';

const h = useFakeBackend();

function toolResult(stdout: string): Record<string, unknown> {
  return parseEvents(stdout).find((e) => e.type === 'tool.result')!;
}

describe('tool confinement and runaway tools', () => {
  it('grep never follows a symlink out of the workspace or into the credentials file', async () => {
    const ws = tempDir();
    const outside = tempDir();
    writeFileSync(path.join(outside.dir, 's.txt'), 'SECRET_OUTSIDE_DATA\n');
    writeFileSync(
      path.join(h.home, 'credentials.json'),
      JSON.stringify({ version: 1, openai: { api_key: 'sk-stored-PLANTED-0001', saved_at: '' } }, null, 2),
      { mode: 0o600 },
    );
    symlinkSync(outside.dir, path.join(ws.dir, 'od'));
    symlinkSync(path.join(h.home, 'credentials.json'), path.join(ws.dir, 'c'));
    symlinkSync(h.home, path.join(ws.dir, 'cfg'));
    writeFileSync(path.join(ws.dir, 'in.txt'), 'SECRET_INSIDE\n');
    h.fake.push(
      { kind: 'sse', events: toolCall('g1', 'grep', { pattern: 'SECRET|api_key|PLANTED' }) },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--json', '--no-stdin', '-C', ws.dir, 'go'], { env: h.env() });
    expect(r.code).toBe(0);
    const out = String(toolResult(r.stdout).output);
    expect(out).toContain('in.txt:1: SECRET_INSIDE');
    expect(out).not.toContain('SECRET_OUTSIDE_DATA');
    expect(out).not.toContain('PLANTED');
    expect(out).not.toContain('api_key');
    ws.cleanup();
    outside.cleanup();
  });

  it('a catastrophic grep pattern cannot outlive --timeout', async () => {
    const ws = tempDir();
    writeFileSync(path.join(ws.dir, 'f.txt'), 'a'.repeat(40) + '!\n');
    h.fake.push(
      { kind: 'sse', events: toolCall('g1', 'grep', { pattern: '(a+)+$' }) },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--no-stdin', '--timeout', '3', '-C', ws.dir, 'go'], {
      env: h.env(),
      killAfterMs: 30_000,
    });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('--timeout');
    ws.cleanup();
  });

  it('read_file refuses a FIFO instead of blocking, and offset 0', async () => {
    const ws = tempDir();
    execFileSync('mkfifo', [path.join(ws.dir, 'fifo')]);
    writeFileSync(path.join(ws.dir, 'f.txt'), 'one\ntwo\n');
    h.fake.push(
      { kind: 'sse', events: toolCall('r1', 'read_file', { path: 'fifo' }) },
      { kind: 'sse', events: toolCall('r2', 'read_file', { path: 'f.txt', offset: 0, limit: 1 }) },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--json', '--no-stdin', '--timeout', '20', '-C', ws.dir, 'go'], { env: h.env() });
    expect(r.code).toBe(0);
    const results = parseEvents(r.stdout).filter((e) => e.type === 'tool.result');
    expect(results[0]).toMatchObject({ status: 'error' });
    expect(String(results[0]!.output)).toContain('not a regular file');
    expect(results[1]).toMatchObject({ status: 'error' });
    ws.cleanup();
  });
});

describe('stored state is never rewritten when not understood', () => {
  it('auth login openai refuses a credentials file of another version and leaves it untouched', async () => {
    const file = path.join(h.home, 'credentials.json');
    const original = JSON.stringify({
      version: 2,
      chatgpt: { tokens: { refresh_token: 'RT_FUTURE' } },
      extra: { x: 1 },
    });
    writeFileSync(file, original, { mode: 0o600 });
    const r = await runCli(['auth', 'login', 'openai', '--with-api-key'], {
      env: { KOLEGA_HOME: h.home },
      stdin: 'sk-new-key-123456\n',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('a credentials field of the wrong type is corrupt, not "not signed in"', async () => {
    const file = path.join(h.home, 'credentials.json');
    const original = JSON.stringify({ version: 1, chatgpt: { access_token: null, refresh_token: 'RT' } });
    writeFileSync(file, original, { mode: 0o600 });
    const r = await runCli(['auth', 'login', 'openai', '--with-api-key'], {
      env: { KOLEGA_HOME: h.home },
      stdin: 'sk-new-key-123456\n',
    });
    expect(r.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('a directory named credentials.json is not chmodded', async () => {
    const dir = path.join(h.home, 'credentials.json');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const r = await runCli(['run', '--no-stdin', 'hi'], { env: h.env() });
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(r.stderr).not.toContain('its mode is now 0600');
  });
});

describe('secrets, bad settings and malformed streams', () => {
  it('a key echoed back by the server is never printed', async () => {
    const key = 'PLANTEDKEY-abcdef123456';
    const fake = await startFakeBackend({
      apiKeys: [key],
      steps: [
        {
          kind: 'http',
          status: 400,
          body: JSON.stringify({ error: { message: `Incorrect API key provided: ${key}.`, code: 'invalid_api_key' } }),
        },
      ],
    });
    const r = await runCli(['run', '--json', '--no-stdin', 'hi'], {
      env: h.env({ OPENAI_API_KEY: key, OPENAI_BASE_URL: fake.openaiBaseUrl }),
    });
    await fake.close();
    expect(r.code).toBe(5);
    expect(r.stdout + r.stderr).not.toContain(key);
    expect(r.stdout).toContain('Incorrect API key provided');
  });

  it('a malformed proxy variable is a configuration error naming it (exit 2)', async () => {
    for (const value of ['garbage', 'http://u:secret%pw@127.0.0.1:1']) {
      const r = await runCli(['run', '--no-stdin', 'hi'], { env: h.env({ HTTP_PROXY: value }) });
      expect(r.code, value).toBe(2);
      expect(r.stderr).toContain('HTTP_PROXY');
      expect(r.stderr).not.toContain('secret');
      expect(r.stderr).not.toContain('bug');
    }
  });

  it('a --timeout beyond what a timer can hold is refused, not fired at once', async () => {
    const r = await runCli(['run', '--no-stdin', '--timeout', '99999999999', 'hi'], { env: h.env() });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('TimeoutOverflowWarning');
    expect(h.fake.requests).toHaveLength(0);
  });

  it('empty -m, -C and a zero --max-output-tokens are usage errors', async () => {
    for (const args of [
      ['-m', ''],
      ['-C', ''],
      ['--max-output-tokens', '0'],
    ]) {
      const r = await runCli(['run', '--no-stdin', ...args, 'hi'], { env: h.env() });
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect(h.fake.requests).toHaveLength(0);
  });

  it('a text delta that is not a string fails the run (exit 5) instead of an empty success', async () => {
    const bad = toSse([
      ev.created(),
      { type: 'response.output_text.delta', item_id: 'm', delta: 42 } as never,
      ev.completed(),
    ]);
    h.fake.push(
      { kind: 'sse', events: bad },
      { kind: 'sse', events: bad },
      { kind: 'sse', events: bad },
      { kind: 'sse', events: bad },
      { kind: 'sse', events: bad },
    );
    const r = await runCli(['run', '--no-stdin', 'hi'], { env: h.env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('malformed');
  });

  it('-o into a missing directory fails before any request', async () => {
    const r = await runCli(['run', '--no-stdin', '-o', '/nonexistent/dir/out.txt', 'hi'], { env: h.env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/dir/out.txt');
    expect(r.stderr).not.toContain('.tmp');
    expect(h.fake.requests).toHaveLength(0);
  });
});
