/**
 * Atomic writes go through symlinks and into FIFOs: `config set` with a symlinked settings file
 * keeps the link and changes its target; `run -o LINK` writes the link's target; `run -o FIFO`
 * writes into the FIFO instead of replacing it; `-o DIR` is refused before any request.
 */
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { textAnswer } from '../fakes/sse-events.js';

const t = useFakeBackend();

describe('writes through symlinks and special files', () => {
  it('config set through a symlinked settings.json keeps the link and changes the target', async () => {
    const elsewhere = tempDir();
    try {
      const real = path.join(elsewhere.dir, 'real-settings.json');
      writeFileSync(real, '{}\n', { mode: 0o640 });
      const link = path.join(t.home, 'settings.json');
      symlinkSync(real, link);
      const r = await runCli(['config', 'set', 'effort', 'low'], { env: t.env() });
      expect(r.code).toBe(0);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe(real);
      expect(JSON.parse(readFileSync(real, 'utf8'))).toMatchObject({ effort: 'low' });
    } finally {
      elsewhere.cleanup();
    }
  });

  it('run -o LINK writes the target and keeps the relative link', async () => {
    t.fake.push({ kind: 'sse', events: textAnswer('hello') });
    const dir = path.join(t.home, 'out');
    mkdirSync(dir);
    symlinkSync('target.txt', path.join(dir, 'link.txt'));
    const r = await runCli(['run', '--no-stdin', '-o', 'link.txt', 'hi'], { env: t.env(), cwd: dir });
    expect(r.code).toBe(0);
    expect(lstatSync(path.join(dir, 'link.txt')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dir, 'target.txt'), 'utf8')).toBe('hello\n');
  });

  it('run -o FIFO writes into the FIFO and keeps it', async () => {
    t.fake.push({ kind: 'sse', events: textAnswer('through the pipe') });
    const fifo = path.join(t.home, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const chunks: Buffer[] = [];
    const read = new Promise<string>((resolve, reject) => {
      createReadStream(fifo)
        .on('data', (c) => chunks.push(Buffer.from(c)))
        .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
        .on('error', reject);
    });
    const r = await runCli(['run', '--no-stdin', '-o', fifo, 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    expect(await read).toBe('through the pipe\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('run -o DIR is refused before any request', async () => {
    const r = await runCli(['run', '--no-stdin', '-o', t.home, 'hi'], { env: t.env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a directory');
    expect(t.fake.requests).toHaveLength(0);
  });
});
