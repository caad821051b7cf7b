/** edit_file: exact, ambiguous and missing matches; literal replacement; mode kept; confinement. */
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeToolCall } from '../../../../src/core/tools/registry.js';
import { editFileTool } from '../../../../src/core/tools/edit-file.js';
import { scratch, type Scratch } from '../../../helpers/tool-context.js';

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.cleanup());

const edit = (args: Record<string, unknown>) =>
  executeToolCall([editFileTool], [editFileTool], 'edit_file', JSON.stringify(args), s.ctx);

describe('edit_file', () => {
  it('replaces an exact unique match and reports what changed', async () => {
    writeFileSync(path.join(s.ws, 'a.txt'), 'one\ntwo\nthree\n');
    const r = await edit({ path: 'a.txt', old_string: 'two\n', new_string: 'TWO\nTWO-B\n' });
    expect(r.status).toBe('ok');
    expect(readFileSync(path.join(s.ws, 'a.txt'), 'utf8')).toBe('one\nTWO\nTWO-B\nthree\n');
    expect(r.output).toMatch(
      /edited a\.txt: replaced 1 occurrence \(first at line 2\), -1\/\+2 lines; now 20 bytes, 4 lines \(was 14 bytes, 3 lines\)/,
    );
  });

  it('refuses an ambiguous match without replace_all, and says where', async () => {
    writeFileSync(path.join(s.ws, 'a.txt'), 'x = 1\ny = 2\nx = 1\n');
    const r = await edit({ path: 'a.txt', old_string: 'x = 1', new_string: 'x = 3' });
    expect(r.status).toBe('error');
    expect(r.output).toMatch(/occurs 2 times in a\.txt \(lines 1, 3\).*replace_all/);
    expect(readFileSync(path.join(s.ws, 'a.txt'), 'utf8')).toBe('x = 1\ny = 2\nx = 1\n');
  });

  it('replaces every match with replace_all', async () => {
    writeFileSync(path.join(s.ws, 'a.txt'), 'x = 1\ny = 2\nx = 1\n');
    const r = await edit({ path: 'a.txt', old_string: 'x = 1', new_string: 'x = 3', replace_all: true });
    expect(r.status).toBe('ok');
    expect(r.output).toContain('replaced 2 occurrences');
    expect(readFileSync(path.join(s.ws, 'a.txt'), 'utf8')).toBe('x = 3\ny = 2\nx = 3\n');
  });

  it('reports a missing match (whitespace matters)', async () => {
    writeFileSync(path.join(s.ws, 'a.txt'), 'if (a) {\n    return b;\n}\n');
    const r = await edit({ path: 'a.txt', old_string: '  return b;\n}', new_string: 'return c;' });
    expect(r.status).toBe('ok'); // the two-space version is a substring of the four-space line
    const miss = await edit({ path: 'a.txt', old_string: '\treturn c;', new_string: 'x' });
    expect(miss.status).toBe('error');
    expect(miss.output).toMatch(/was not found in a\.txt; it must match the file exactly/);
  });

  it('reports a missing file and points to write_file', async () => {
    const r = await edit({ path: 'nope.txt', old_string: 'a', new_string: 'b' });
    expect(r.status).toBe('error');
    expect(r.output).toMatch(/nope\.txt does not exist; use write_file/);
  });

  it('keeps $ patterns in new_string literal', async () => {
    writeFileSync(path.join(s.ws, 'a.txt'), 'price: X\n');
    await edit({ path: 'a.txt', old_string: 'X', new_string: "$& $' $1" });
    expect(readFileSync(path.join(s.ws, 'a.txt'), 'utf8')).toBe("price: $& $' $1\n");
  });

  it("keeps the file's mode", async () => {
    const f = path.join(s.ws, 'run.sh');
    writeFileSync(f, '#!/bin/sh\necho a\n');
    chmodSync(f, 0o751);
    const r = await edit({ path: 'run.sh', old_string: 'echo a', new_string: 'echo b' });
    expect(r.status).toBe('ok');
    expect(statSync(f).mode & 0o777).toBe(0o751);
  });

  it('refuses a file reached through a symlink that points outside the workspace', async () => {
    const target = path.join(s.outside, 'secret.txt');
    writeFileSync(target, 'keep me\n');
    symlinkSync(target, path.join(s.ws, 'link.txt'));
    const r = await edit({ path: 'link.txt', old_string: 'keep', new_string: 'lost' });
    expect(r.status).toBe('denied');
    expect(r.output).toMatch(/outside the workspace/);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
  });
});

describe('edit_file on CRLF files', () => {
  it('says so when a LF old_string misses a CRLF file', async () => {
    writeFileSync(path.join(s.ws, 'w.txt'), 'a\r\nb\r\n');
    const r = await edit({ path: 'w.txt', old_string: 'a\nb', new_string: 'x' });
    expect(r.status).toBe('error');
    expect(r.output).toMatch(/CRLF line endings/);
  });
});
