/**
 * The sandbox's promises end to end (the real binary, a scripted model): under workspace-write a
 * model's write_file/edit_file on .git/hooks/pre-commit and .git/config is denied and nothing is
 * written, with and without bubblewrap; `shell` cannot write .git but git status works; a fake
 * $HOME's ~/.ssh and ~/.aws are unreadable in the shell; turn.started and doctor say what is
 * protected and masked; under full-access a setsid child is ended with the command.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { textAnswer, toolCall } from '../fakes/sse-events.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { processesMatching, uniqueSleepSeconds, waitFor } from '../helpers/procs.js';
import { parseEvents } from '../helpers/schema.js';

const h = useFakeBackend();
let area: { dir: string; cleanup: () => void };
let ws: string;
let fakeHome: string;

beforeEach(() => {
  area = tempDir('kolega-sbx-');
  const base = realpathSync(area.dir);
  ws = path.join(base, 'ws');
  fakeHome = path.join(base, 'home');
  mkdirSync(ws);
  mkdirSync(path.join(fakeHome, '.ssh'), { recursive: true });
  mkdirSync(path.join(fakeHome, '.aws'), { recursive: true });
  writeFileSync(path.join(fakeHome, '.ssh', 'id_ed25519'), 'PRIVATE-KEY-MATERIAL\n');
  writeFileSync(path.join(fakeHome, '.aws', 'credentials'), 'aws_secret_access_key=AWS-SECRET\n');
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: ws, env: { ...process.env, HOME: fakeHome, GIT_CONFIG_NOSYSTEM: '1' } });
  git('init', '-q');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'T');
  writeFileSync(path.join(ws, 'a.txt'), 'one\n');
  git('add', 'a.txt');
  git('commit', '-qm', 'first');
});
afterEach(() => area.cleanup());

const env = (extra: Record<string, string> = {}) => h.env({ HOME: fakeHome, ...extra });

/** The function_call_output of request `i`, by call id. */
function outputsOf(i: number): Record<string, string> {
  const input = h.fake.requests[i]!.body.input as { type: string; call_id?: string; output?: string }[];
  return Object.fromEntries(input.filter((x) => x.type === 'function_call_output').map((x) => [x.call_id!, x.output!]));
}

describe('sandbox protections end to end', { timeout: 60_000 }, () => {
  for (const bwrap of [true, false]) {
    it(`denies write_file and edit_file in .git and writes nothing (${bwrap ? 'with' : 'without'} bubblewrap)`, async () => {
      const config = readFileSync(path.join(ws, '.git', 'config'), 'utf8');
      h.fake.push(
        {
          kind: 'sse',
          events: toolCall('w1', 'write_file', {
            path: '.git/hooks/pre-commit',
            content: '#!/bin/sh\ntouch /tmp/pwned\n',
          }),
        },
        {
          kind: 'sse',
          events: toolCall('e1', 'edit_file', {
            path: '.git/config',
            old_string: '[core]',
            new_string: '[core]\n\tfsmonitor = touch /tmp/pwned',
          }),
        },
        { kind: 'sse', events: textAnswer('done') },
      );
      // Without bwrap on PATH the sandbox probe fails and shell is not offered; the file tools still are.
      const r = await runCli(['run', '--json', '-s', 'workspace-write', '-C', ws, 'install a hook'], {
        env: env(bwrap ? {} : { PATH: '/nonexistent' }),
        killAfterMs: 50_000,
      });
      expect(r.code).toBe(0);
      const events = parseEvents(r.stdout);
      expect(events[0]!.tools).toEqual(
        bwrap
          ? expect.arrayContaining(['write_file', 'edit_file', 'shell'])
          : ['read_file', 'list_dir', 'grep', 'write_file', 'edit_file'],
      );
      const results = events.filter((e) => e.type === 'tool.result');
      expect(results.map((e) => e.status)).toEqual(['denied', 'denied']);
      expect(outputsOf(1).w1).toMatch(/stays read-only under --sandbox workspace-write.*--sandbox full-access/);
      expect(existsSync(path.join(ws, '.git', 'hooks', 'pre-commit'))).toBe(false);
      expect(readFileSync(path.join(ws, '.git', 'config'), 'utf8')).toBe(config);
    });
  }

  it('shell cannot write a hook, git status works, and turn.started lists protected and masked paths', async () => {
    writeFileSync(path.join(ws, 'a.txt'), 'two\n');
    h.fake.push(
      {
        kind: 'sse',
        events: toolCall('s1', 'shell', {
          command: 'echo x > .git/hooks/pre-commit; git status --short; git commit -qam x',
        }),
      },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--json', '-s', 'workspace-write', '-C', ws, 'go'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(0);
    const started = parseEvents(r.stdout)[0]!;
    expect(started.protected_paths).toEqual([path.join(ws, '.git')]);
    expect(started.masked_paths).toEqual(
      expect.arrayContaining([path.join(fakeHome, '.ssh'), path.join(fakeHome, '.aws'), h.home]),
    );
    const out = outputsOf(1).s1;
    expect(out).toMatch(/pre-commit: Read-only file system/);
    expect(out).toContain(' M a.txt');
    expect(out).toMatch(/fatal: Unable to create '.*index\.lock': Read-only file system/);
    expect(existsSync(path.join(ws, '.git', 'hooks', 'pre-commit'))).toBe(false);
  });

  it('shell cannot read files planted in $HOME/.ssh and $HOME/.aws, unless --add-dir names one', async () => {
    const cmd = `cat ${fakeHome}/.ssh/id_ed25519; cat ${fakeHome}/.aws/credentials; echo end`;
    h.fake.push(
      { kind: 'sse', events: toolCall('s1', 'shell', { command: cmd }) },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--json', '-s', 'workspace-write', '--network', '-C', ws, 'steal'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(0);
    expect(outputsOf(1).s1).not.toMatch(/PRIVATE-KEY-MATERIAL|AWS-SECRET/);
    expect(outputsOf(1).s1).toMatch(/No such file or directory/);

    h.fake.push(
      { kind: 'sse', events: toolCall('s2', 'shell', { command: cmd }) },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r2 = await runCli(
      ['run', '--json', '-s', 'workspace-write', '--add-dir', path.join(fakeHome, '.aws'), '-C', ws, 'read aws'],
      { env: env(), killAfterMs: 50_000 },
    );
    expect(r2.code).toBe(0);
    expect(outputsOf(3).s2).toContain('AWS-SECRET');
    expect(outputsOf(3).s2).not.toContain('PRIVATE-KEY-MATERIAL');
  });

  it('the sandbox_masked_paths setting adds paths; doctor reports what is masked', async () => {
    const extra = path.join(fakeHome, 'vault');
    mkdirSync(extra);
    writeFileSync(path.join(extra, 'token'), 'VAULT-SECRET\n');
    const set = await runCli(['config', 'set', 'sandbox_masked_paths', '~/vault'], { env: env() });
    expect(set.code).toBe(0);
    const bad = await runCli(['config', 'set', 'sandbox_masked_paths', 'relative/dir'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an absolute path or ~\/\.\.\.: relative\/dir/);
    h.fake.push(
      { kind: 'sse', events: toolCall('s1', 'shell', { command: `cat ${extra}/token; echo end` }) },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--json', '-s', 'workspace-write', '-C', ws, 'go'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(0);
    expect(outputsOf(1).s1).not.toContain('VAULT-SECRET');
    expect(parseEvents(r.stdout)[0]!.masked_paths).toContain(extra);
    const d = await runCli(['doctor', '--json', '--timeout', '3'], { env: env() });
    const check = (
      JSON.parse(d.stdout) as { checks: { id: string; status: string; details: { masked: string[] } }[] }
    ).checks.find((c) => c.id === 'sandbox.masked')!;
    expect(check.status).toBe('ok');
    expect(check.details.masked).toEqual(
      expect.arrayContaining([path.join(fakeHome, '.ssh'), path.join(fakeHome, '.aws'), extra]),
    );
  });

  it('under full-access, a child that called setsid is ended with the command', async () => {
    const m = uniqueSleepSeconds();
    h.fake.push(
      {
        kind: 'sse',
        events: toolCall('s1', 'shell', { command: `setsid sleep ${m} >/dev/null 2>&1 < /dev/null & echo started` }),
      },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--json', '-s', 'full-access', '-C', ws, 'go'], { env: env(), killAfterMs: 50_000 });
    expect(r.code).toBe(0);
    expect(outputsOf(1).s1).toContain('started');
    expect(await waitFor(() => processesMatching(`sleep ${m}`).length === 0, 10_000)).toBe(true);
  });
});
