/**
 * Path confinement of the file tools (src/core/tools/paths.ts): `..`, absolute paths, symlinks
 * pointing out, missing files under a symlinked dir, dangling symlinks, the credentials file.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PathDenied, displayPath, realpathLenient, resolveToolPath } from '../../../../src/core/tools/paths.js';
import type { ToolContext } from '../../../../src/core/tools/types.js';
import { executeToolCall, builtinTools, offeredTools } from '../../../../src/core/tools/registry.js';
import { tempDir } from '../../../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };
let root: string;
let outside: string;
let creds: string;
let ctx: ToolContext;

beforeEach(() => {
  tmp = tempDir('kolega-paths-');
  root = path.join(tmp.dir, 'ws');
  outside = path.join(tmp.dir, 'outside');
  const home = path.join(tmp.dir, 'home');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
  mkdirSync(home);
  writeFileSync(path.join(root, 'a.txt'), 'inside\n');
  writeFileSync(path.join(outside, 'secret.txt'), 'secret\n');
  creds = path.join(home, 'credentials.json');
  writeFileSync(creds, '{"token":"x"}');
  ctx = {
    root,
    addDirs: [],
    protectedPaths: [creds],
    sandbox: 'read-only',
    signal: new AbortController().signal,
    env: process.env,
  };
});
afterEach(() => tmp.cleanup());

const denied = (p: string) => expect(() => resolveToolPath(ctx, p)).toThrow(PathDenied);

describe('resolveToolPath', () => {
  it('accepts relative paths inside the root, and the root itself', () => {
    expect(resolveToolPath(ctx, 'a.txt')).toBe(realpathLenient(path.join(root, 'a.txt')));
    expect(resolveToolPath(ctx, '.')).toBe(realpathLenient(root));
    expect(resolveToolPath(ctx, 'sub/../a.txt')).toBe(realpathLenient(path.join(root, 'a.txt')));
    expect(resolveToolPath(ctx, 'sub/new-file.txt')).toBe(path.join(realpathLenient(root), 'sub', 'new-file.txt'));
  });

  it('refuses .. escapes', () => {
    denied('../outside/secret.txt');
    denied('sub/../../outside/secret.txt');
    denied('..');
  });

  it('refuses absolute paths outside, accepts absolute paths inside', () => {
    denied(path.join(outside, 'secret.txt'));
    denied('/etc/passwd');
    expect(resolveToolPath(ctx, path.join(root, 'a.txt'))).toBe(realpathLenient(path.join(root, 'a.txt')));
  });

  it('refuses a sibling whose name starts with the root name', () => {
    mkdirSync(`${root}-evil`);
    denied(`${root}-evil`);
    denied('../ws-evil/x');
  });

  it('refuses symlinks pointing out (file and directory)', () => {
    symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    symlinkSync(outside, path.join(root, 'linkdir'));
    denied('link.txt');
    denied('linkdir');
    denied('linkdir/secret.txt');
  });

  it('refuses non-existent files under a symlinked dir that points out', () => {
    symlinkSync(outside, path.join(root, 'linkdir'));
    denied('linkdir/new.txt');
    denied('linkdir/deeper/still/new.txt');
  });

  it('refuses a dangling symlink whose target is outside (writing through it would escape)', () => {
    symlinkSync(path.join(outside, 'not-yet.txt'), path.join(root, 'dangling'));
    denied('dangling');
    symlinkSync(path.join(root, 'also-missing.txt'), path.join(root, 'dangling-in'));
    expect(resolveToolPath(ctx, 'dangling-in')).toBe(path.join(realpathLenient(root), 'also-missing.txt'));
  });

  it('accepts symlinks that stay inside', () => {
    symlinkSync(path.join(root, 'a.txt'), path.join(root, 'sub', 'alias.txt'));
    expect(resolveToolPath(ctx, 'sub/alias.txt')).toBe(realpathLenient(path.join(root, 'a.txt')));
  });

  it('never reaches the credentials file: inside the root, by absolute path, or through a symlink', () => {
    const inRoot = path.join(root, 'credentials.json');
    writeFileSync(inRoot, '{}');
    ctx.protectedPaths = [inRoot];
    denied('credentials.json');
    denied(inRoot);
    symlinkSync(inRoot, path.join(root, 'innocent.json'));
    denied('innocent.json');
    denied('sub/../credentials.json');
  });

  it('refuses the credentials file outside the root even with --add-dir covering it', () => {
    ctx.addDirs = [path.dirname(creds)];
    denied(creds);
    expect(resolveToolPath(ctx, path.join(path.dirname(creds), 'other.json'))).toContain('other.json');
  });

  it('refuses empty paths and NUL bytes', () => {
    denied('');
    denied('a\0b');
  });

  it('shows paths relative to the root', () => {
    expect(displayPath(ctx, resolveToolPath(ctx, 'sub'))).toBe('sub');
    expect(displayPath(ctx, realpathLenient(root))).toBe('.');
  });
});

describe('tools under confinement', () => {
  it('read_file of a path outside is denied and the content never returned', async () => {
    symlinkSync(outside, path.join(root, 'linkdir'));
    const all = builtinTools();
    const offered = offeredTools(all, 'read-only');
    for (const p of ['../outside/secret.txt', 'linkdir/secret.txt', path.join(outside, 'secret.txt')]) {
      const r = await executeToolCall(all, offered, 'read_file', JSON.stringify({ path: p }), ctx);
      expect(r.status).toBe('denied');
      expect(r.output).not.toContain('secret\n');
    }
    const ok = await executeToolCall(all, offered, 'read_file', JSON.stringify({ path: 'a.txt' }), ctx);
    expect(ok).toMatchObject({ status: 'ok', output: expect.stringContaining('inside') });
  });
});
