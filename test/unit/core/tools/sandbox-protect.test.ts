/**
 * The sandbox's promises, driving the tools directly: protected directories (.git, .codex,
 * .agents, .kolega, the git dir a .git file names) stay read-only for write_file, edit_file and
 * shell under workspace-write; secrets are masked; nothing a command started outlives it under
 * full-access; output is collected until the pipes close; truncation never splits a character.
 * Needs a working bwrap (.ci/run installs it) and git.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { editFileTool } from '../../../../src/core/tools/edit-file.js';
import { grepTool } from '../../../../src/core/tools/grep.js';
import { maskedPaths } from '../../../../src/core/tools/masked-paths.js';
import { READ_FILE_MAX_BYTES, readFileTool } from '../../../../src/core/tools/read-file.js';
import { probeSandbox } from '../../../../src/core/tools/sandbox-probe.js';
import { sandboxView } from '../../../../src/core/tools/sandbox-view.js';
import { shellTool } from '../../../../src/core/tools/shell.js';
import type { Tool, ToolContext, ToolResult } from '../../../../src/core/tools/types.js';
import { writeFileTool } from '../../../../src/core/tools/write-file.js';
import { executeToolCall } from '../../../../src/core/tools/registry.js';
import { processesMatching, uniqueSleepSeconds, waitFor } from '../../../helpers/procs.js';
import { scratch, type Scratch } from '../../../helpers/tool-context.js';

let s: Scratch;
let shell: Tool;
let home: string;

beforeAll(async () => {
  const status = await probeSandbox({ env: process.env });
  if (!status.available) throw new Error(`these tests need bubblewrap: ${status.reason}`);
  shell = shellTool({ bwrap: status.bwrap });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: home },
  });
}

beforeEach(() => {
  s = scratch('workspace-write');
  home = path.join(s.base, 'home');
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  mkdirSync(path.join(home, '.aws'), { recursive: true });
  writeFileSync(path.join(home, '.ssh', 'id_ed25519'), 'PRIVATE-KEY-MATERIAL\n');
  writeFileSync(path.join(home, '.aws', 'credentials'), '[default]\naws_secret_access_key=AWS-SECRET\n');
  writeFileSync(path.join(home, '.netrc'), 'machine x password NETRC-SECRET\n');
  s.ctx.maskedPaths = maskedPaths({ env: { HOME: home, KOLEGA_HOME: path.join(s.base, 'kolega-home') } });
  git(s.ws, 'init', '-q');
  git(s.ws, 'config', 'user.email', 't@example.com');
  git(s.ws, 'config', 'user.name', 'T');
  writeFileSync(path.join(s.ws, 'a.txt'), 'one\n');
  git(s.ws, 'add', 'a.txt');
  git(s.ws, 'commit', '-qm', 'first');
});
afterEach(() => s.cleanup());

const call = (tool: Tool, args: Record<string, unknown>, ctx: ToolContext = s.ctx): Promise<ToolResult> =>
  executeToolCall([tool], [tool], tool.name, JSON.stringify(args), ctx);

describe('protected directories under workspace-write', () => {
  it('write_file and edit_file are denied in .git, .codex, .agents and .kolega, and nothing is written', async () => {
    const config = readFileSync(path.join(s.ws, '.git', 'config'), 'utf8');
    const w = await call(writeFileTool, { path: '.git/hooks/pre-commit', content: '#!/bin/sh\ntouch /tmp/pwned\n' });
    expect(w.status).toBe('denied');
    expect(w.output).toMatch(
      /\.git\/hooks\/pre-commit is inside .*\.git, which stays read-only under --sandbox workspace-write/,
    );
    expect(w.output).toMatch(/--sandbox full-access/);
    expect(existsSync(path.join(s.ws, '.git', 'hooks', 'pre-commit'))).toBe(false);
    const e = await call(editFileTool, {
      path: '.git/config',
      old_string: '[core]',
      new_string: '[core]\n\tfsmonitor = touch /tmp/pwned',
    });
    expect(e.status).toBe('denied');
    expect(readFileSync(path.join(s.ws, '.git', 'config'), 'utf8')).toBe(config);
    for (const p of ['.codex/config.toml', '.agents/x.md', '.kolega/settings.json', './sub/../.git/HEAD']) {
      const r = await call(writeFileTool, { path: p, content: 'x' });
      expect(r.status, p).toBe('denied');
    }
    expect(existsSync(path.join(s.ws, '.codex'))).toBe(false);
    // A name that merely starts like a protected one is an ordinary file.
    expect((await call(writeFileTool, { path: '.gitignore', content: 'node_modules\n' })).status).toBe('ok');
    expect((await call(writeFileTool, { path: 'sub/.git-notes', content: 'x' })).status).toBe('ok');
  });

  it('protects the git directory a .git file points to, in an --add-dir root too', async () => {
    const extra = path.join(s.base, 'extra');
    const realGit = path.join(s.base, 'extra-gitdir');
    mkdirSync(extra);
    git(s.base, 'init', '-q', '--separate-git-dir', realGit, extra);
    expect(readFileSync(path.join(extra, '.git'), 'utf8')).toMatch(/^gitdir: /);
    const ctx: ToolContext = { ...s.ctx, addDirs: [extra, realGit] };
    const r = await call(writeFileTool, { path: path.join(realGit, 'hooks', 'post-checkout'), content: 'x' }, ctx);
    expect(r.status).toBe('denied');
    expect(existsSync(path.join(realGit, 'hooks', 'post-checkout'))).toBe(false);
    const sh = await shell.run(
      { command: `echo x > ${realGit}/hooks/post-checkout; echo x > ${extra}/.git; echo done` },
      ctx,
    );
    expect(sh.output).toMatch(/Read-only file system/);
    expect(existsSync(path.join(realGit, 'hooks', 'post-checkout'))).toBe(false);
    expect(readFileSync(path.join(extra, '.git'), 'utf8')).toMatch(/^gitdir: /);
    expect(sandboxView(ctx).protected_paths).toEqual(
      expect.arrayContaining([path.join(s.ws, '.git'), path.join(extra, '.git'), realGit]),
    );
  });

  it("shell cannot write .git, while git status, diff and log work and git commit fails with git's own message", async () => {
    writeFileSync(path.join(s.ws, 'a.txt'), 'two\n');
    const r = await shell.run(
      {
        command:
          'echo x > .git/hooks/pre-commit; echo "[core] fsmonitor = x" >> .git/config; git status --short; git diff --stat; git log --oneline; git commit -qam second; echo end',
      },
      s.ctx,
    );
    expect(r.output).toMatch(/\.git\/hooks\/pre-commit: Read-only file system/);
    expect(r.output).toContain(' M a.txt');
    expect(r.output).toMatch(/a\.txt \| 2 \+-/);
    expect(r.output).toMatch(/[0-9a-f]{7} first/);
    expect(r.output).toMatch(/fatal: Unable to create '.*\.git\/index\.lock': Read-only file system/);
    expect(existsSync(path.join(s.ws, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(readFileSync(path.join(s.ws, '.git', 'config'), 'utf8')).not.toContain('fsmonitor');
    expect(git(s.ws, 'log', '--oneline').trim().split('\n')).toHaveLength(1);
  });

  it('full-access lifts the protection', async () => {
    const ctx: ToolContext = { ...s.ctx, sandbox: 'full-access' };
    expect((await call(writeFileTool, { path: '.git/hooks/pre-commit', content: '#!/bin/sh\n' }, ctx)).status).toBe(
      'ok',
    );
    expect(existsSync(path.join(s.ws, '.git', 'hooks', 'pre-commit'))).toBe(true);
    expect(sandboxView(ctx)).toEqual({ protected_paths: [], masked_paths: [] });
  });
});

describe('no way back out of the read-only mounts', () => {
  it('the command has no capabilities, so it cannot remount / read-write (even when kolega runs as root)', async () => {
    const r = await shell.run(
      {
        command:
          'grep CapEff /proc/self/status; mount -o remount,rw / && echo REMOUNTED; echo x > .git/HEAD && echo WROTE-HEAD; echo end',
      },
      s.ctx,
    );
    expect(r.output).toMatch(/CapEff:\s+0+\n/);
    expect(r.output).not.toMatch(/REMOUNTED|WROTE-HEAD/);
    expect(readFileSync(path.join(s.ws, '.git', 'HEAD'), 'utf8')).toMatch(/^ref: /);
  });
});

describe('masked secrets', () => {
  it('shell cannot read ~/.ssh, ~/.aws or ~/.netrc; they look empty', async () => {
    const r = await shell.run(
      {
        command: `cat ${home}/.ssh/id_ed25519 ${home}/.aws/credentials ${home}/.netrc; ls -A ${home}/.ssh | wc -l; echo end`,
      },
      s.ctx,
    );
    expect(r.output).not.toMatch(/PRIVATE-KEY-MATERIAL|AWS-SECRET|NETRC-SECRET/);
    expect(r.output).toMatch(/\n0\nend/);
    expect(sandboxView(s.ctx).masked_paths).toEqual(
      expect.arrayContaining([path.join(home, '.ssh'), path.join(home, '.aws'), path.join(home, '.netrc')]),
    );
  });

  it('the file tools refuse them too, even with the home directory as the workspace', async () => {
    const ctx: ToolContext = { ...s.ctx, root: home };
    const r = await call(readFileTool, { path: '.ssh/id_ed25519' }, ctx);
    expect(r.status).toBe('denied');
    expect(r.output).toMatch(/secret path .*--add-dir/);
    const g = await call(grepTool, { pattern: 'SECRET|PRIVATE' }, ctx);
    expect(g.output).toBe('no matches');
    const sh = await shell.run({ command: 'cat .ssh/id_ed25519 .aws/credentials; echo end' }, ctx);
    expect(sh.output).not.toMatch(/PRIVATE-KEY-MATERIAL|AWS-SECRET/);
  });

  it('--add-dir on a masked path unmasks exactly that path', async () => {
    const ctx: ToolContext = { ...s.ctx, addDirs: [path.join(home, '.aws')] };
    const r = await shell.run({ command: `cat ${home}/.aws/credentials; cat ${home}/.ssh/id_ed25519; echo end` }, ctx);
    expect(r.output).toContain('AWS-SECRET');
    expect(r.output).not.toContain('PRIVATE-KEY-MATERIAL');
    expect((await call(readFileTool, { path: path.join(home, '.aws', 'credentials') }, ctx)).output).toContain(
      'AWS-SECRET',
    );
    expect(sandboxView(ctx).masked_paths).not.toContain(path.join(home, '.aws'));
  });

  it('a writable root inside a masked directory stays usable', async () => {
    const inner = path.join(home, '.ssh', 'work');
    mkdirSync(inner);
    const ctx: ToolContext = { ...s.ctx, addDirs: [inner] };
    const r = await shell.run(
      {
        command: `echo hi > ${inner}/note; cat ${inner}/note; cat ${home}/.ssh/id_ed25519; touch ${home}/.ssh/new && echo wrote-mask; echo end`,
      },
      ctx,
    );
    expect(r.output).toMatch(/hi\n/);
    expect(r.output).not.toContain('wrote-mask');
    expect(r.output).not.toContain('PRIVATE-KEY-MATERIAL');
    expect(readFileSync(path.join(inner, 'note'), 'utf8')).toBe('hi\n');
  });
});

describe('nothing outlives a command under full-access', () => {
  it('ends children that called setsid or double-forked once the command is done', async () => {
    const m1 = uniqueSleepSeconds();
    const m2 = uniqueSleepSeconds();
    const ctx: ToolContext = { ...s.ctx, sandbox: 'full-access' };
    const r = await shell.run(
      {
        command: `setsid sleep ${m1} >/dev/null 2>&1 < /dev/null & ( (sleep ${m2} >/dev/null 2>&1 &) & ); echo started`,
      },
      ctx,
    );
    expect(r).toMatchObject({ status: 'ok', exit_code: 0 });
    expect(
      await waitFor(
        () => processesMatching(`sleep ${m1}`).length === 0 && processesMatching(`sleep ${m2}`).length === 0,
        10_000,
      ),
    ).toBe(true);
  });

  it('a setsid child that keeps the output open holds the call until the timeout, then is ended', async () => {
    const m = uniqueSleepSeconds();
    const ctx: ToolContext = { ...s.ctx, sandbox: 'full-access' };
    const r = await shell.run({ command: `setsid sleep ${m} & echo started`, timeout_ms: 1500 }, ctx);
    expect(r.status).toBe('error');
    expect(r.output).toMatch(/killed after the 1500 ms timeout/);
    expect(r.output).toContain('started');
    expect(await waitFor(() => processesMatching(`sleep ${m}`).length === 0, 10_000)).toBe(true);
  });
});

describe('output that outlives its writer', () => {
  for (const sandbox of ['workspace-write', 'full-access'] as const) {
    it(`returns everything a tee-redirected command writes, and the tee file is complete (${sandbox})`, async () => {
      const ctx: ToolContext = { ...s.ctx, sandbox };
      const r = await shell.run(
        { command: 'exec > >(tee -a log.txt) 2>&1; for i in $(seq 1 400); do echo line$i; done; echo last >&2' },
        ctx,
      );
      expect(r.status).toBe('ok');
      for (const n of [1, 200, 400]) expect(r.output).toContain(`line${n}\n`);
      expect(r.output).toContain('last');
      const log = readFileSync(path.join(s.ws, 'log.txt'), 'utf8').trim().split('\n');
      expect(log).toHaveLength(401);
    });

    it(`waits for a short-lived background child that still writes (${sandbox})`, async () => {
      const ctx: ToolContext = { ...s.ctx, sandbox };
      const r = await shell.run({ command: '(sleep 0.5; echo late; echo file > late.txt) & echo early' }, ctx);
      expect(r.output).toMatch(/early\nlate\n?$/);
      expect(readFileSync(path.join(s.ws, 'late.txt'), 'utf8')).toBe('file\n');
    });
  }
});

describe('truncation on UTF-8 character boundaries', () => {
  it('shell output cut in the middle keeps whole characters', async () => {
    // 'a' then 2-byte characters: both cuts of the 32 KiB window fall inside a character.
    const r = await shell.run({ command: `printf a; head -c 40001 /dev/zero | tr '\\0' x | sed 's/x/é/g'` }, s.ctx);
    expect(r.output).toMatch(/bytes of output omitted/);
    expect(r.output).not.toContain('\uFFFD');
  });

  it('read_file and grep keep whole characters', async () => {
    const big = 'a' + 'é'.repeat(READ_FILE_MAX_BYTES); // one line, longer than the limit
    writeFileSync(path.join(s.ws, 'big.txt'), big);
    const r = await call(readFileTool, { path: 'big.txt' });
    expect(r.output).toMatch(/truncated/);
    expect(r.output).not.toContain('\uFFFD');
    // 7 ASCII characters, then pairs: the 300-unit line cut falls inside a surrogate pair.
    writeFileSync(path.join(s.ws, 'emoji.txt'), 'matchx ' + '😀'.repeat(400) + '\n');
    const g = await call(grepTool, { pattern: 'match', path: 'emoji.txt' });
    expect(g.status).toBe('ok');
    // JSON encoding is how the output reaches the model: a lone surrogate would turn into U+FFFD.
    expect(Buffer.from(g.output, 'utf8').toString('utf8')).not.toContain('\uFFFD');
  });
});
