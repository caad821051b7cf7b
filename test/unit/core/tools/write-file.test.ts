/** write_file: create/replace with a report, confinement through symlinks, --add-dir, credentials. */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinTools, executeToolCall, offeredTools } from '../../../../src/core/tools/registry.js';
import { writeFileTool } from '../../../../src/core/tools/write-file.js';
import { scratch, type Scratch } from '../../../helpers/tool-context.js';

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.cleanup());

const write = (args: Record<string, unknown>) =>
  executeToolCall([writeFileTool], [writeFileTool], 'write_file', JSON.stringify(args), s.ctx);

describe('write_file', () => {
  it('creates a file (and its parent directories) and reports bytes and lines', async () => {
    const r = await write({ path: 'src/new/a.txt', content: 'héllo\nworld\n' });
    expect(r).toEqual({ status: 'ok', output: 'created src/new/a.txt: 13 bytes, 2 lines' });
    expect(readFileSync(path.join(s.ws, 'src/new/a.txt'), 'utf8')).toBe('héllo\nworld\n');
  });

  it('replaces a file atomically, leaving no temporary file behind', async () => {
    writeFileSync(path.join(s.ws, 'a.txt'), 'old\n');
    const r = await write({ path: 'a.txt', content: 'new\ncontent' });
    expect(r.output).toBe('replaced a.txt: 11 bytes, 2 lines (was 4 bytes, 1 lines)');
    expect(readdirSync(s.ws)).toEqual(['a.txt']);
  });

  it('refuses a path outside the workspace', async () => {
    const r = await write({ path: '../outside/x.txt', content: 'x' });
    expect(r.status).toBe('denied');
    expect(existsSync(path.join(s.outside, 'x.txt'))).toBe(false);
    const abs = await write({ path: path.join(s.outside, 'y.txt'), content: 'y' });
    expect(abs.status).toBe('denied');
  });

  it('refuses to write through a symlinked file pointing outside (the target is untouched)', async () => {
    const target = path.join(s.outside, 'victim.txt');
    writeFileSync(target, 'original\n');
    symlinkSync(target, path.join(s.ws, 'link.txt'));
    const r = await write({ path: 'link.txt', content: 'pwned' });
    expect(r.status).toBe('denied');
    expect(readFileSync(target, 'utf8')).toBe('original\n');
    expect(lstatSync(path.join(s.ws, 'link.txt')).isSymbolicLink()).toBe(true);
  });

  it('refuses a not-yet-existing file below a symlinked directory pointing outside', async () => {
    symlinkSync(s.outside, path.join(s.ws, 'escape'));
    const r = await write({ path: 'escape/sub/new.txt', content: 'x' });
    expect(r.status).toBe('denied');
    expect(existsSync(path.join(s.outside, 'sub'))).toBe(false);
  });

  it('writes through a symlink that stays inside the workspace (to its target)', async () => {
    mkdirSync(path.join(s.ws, 'real'));
    writeFileSync(path.join(s.ws, 'real/t.txt'), 'a');
    symlinkSync(path.join(s.ws, 'real/t.txt'), path.join(s.ws, 'alias.txt'));
    const r = await write({ path: 'alias.txt', content: 'b' });
    expect(r.status).toBe('ok');
    expect(readFileSync(path.join(s.ws, 'real/t.txt'), 'utf8')).toBe('b');
  });

  it('--add-dir grants exactly that directory, not its siblings or parent', async () => {
    const granted = path.join(s.outside, 'granted');
    const sibling = path.join(s.outside, 'sibling');
    mkdirSync(granted);
    mkdirSync(sibling);
    s.ctx.addDirs = [granted];
    expect((await write({ path: path.join(granted, 'ok.txt'), content: 'ok' })).status).toBe('ok');
    expect(readFileSync(path.join(granted, 'ok.txt'), 'utf8')).toBe('ok');
    expect((await write({ path: path.join(sibling, 'no.txt'), content: 'no' })).status).toBe('denied');
    expect((await write({ path: path.join(s.outside, 'no.txt'), content: 'no' })).status).toBe('denied');
    expect((await write({ path: `${granted}-suffix/no.txt`, content: 'no' })).status).toBe('denied');
    expect(existsSync(path.join(sibling, 'no.txt'))).toBe(false);
  });

  it('never writes the credentials file, even inside the workspace', async () => {
    const cred = path.join(s.ws, 'home', 'credentials.json');
    mkdirSync(path.dirname(cred));
    writeFileSync(cred, '{"secret":1}');
    s.ctx.protectedPaths = [cred];
    const r = await write({ path: 'home/credentials.json', content: '{}' });
    expect(r.status).toBe('denied');
    expect(r.output).toMatch(/credentials/);
    expect(readFileSync(cred, 'utf8')).toBe('{"secret":1}');
  });

  it('is offered under workspace-write and full-access, and denied under read-only', async () => {
    const all = builtinTools({ bwrap: null });
    expect(offeredTools(all, 'read-only').map((t) => t.name)).toEqual(['read_file', 'list_dir', 'grep']);
    expect(offeredTools(all, 'workspace-write').map((t) => t.name)).toEqual([
      'read_file',
      'list_dir',
      'grep',
      'write_file',
      'edit_file',
    ]);
    expect(offeredTools(all, 'full-access').map((t) => t.name)).toContain('shell');
    expect(offeredTools(builtinTools({ bwrap: '/usr/bin/bwrap' }), 'workspace-write').map((t) => t.name)).toContain(
      'shell',
    );
    s.ctx.sandbox = 'read-only';
    const r = await executeToolCall(
      all,
      offeredTools(all, 'read-only'),
      'write_file',
      '{"path":"a","content":"b"}',
      s.ctx,
    );
    expect(r.status).toBe('denied');
    expect(existsSync(path.join(s.ws, 'a'))).toBe(false);
  });
});
