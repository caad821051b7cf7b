/**
 * The one reporter (src/cli/exit.ts): every failure leaves through `reportError`, which prints at
 * most the one `kolega: …` line (plus the bug line for internal errors) and picks the status from
 * the exit class (docs/design.md "Exit status"). Also `main` in-process: a command that throws is
 * reported there, and a command that returns exits 0.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { KolegaError, type ExitClass } from '../../../src/core/errors.js';
import { EXIT_CODES, exitCodeFor, printable, reportError, statusAfterStdoutError } from '../../../src/cli/exit.js';
import { EXIT_CODE_ROWS } from '../../../src/cli/help-topics.js';
import { main } from '../../../src/cli/main.js';
import { buffer, bufferIO } from '../../helpers/in-process.js';

describe('exitCodeFor', () => {
  it.each<[ExitClass, number]>([
    ['internal', 1],
    ['usage', 2],
    ['config', 2],
    ['auth', 3],
    ['quota', 4],
    ['upstream', 5],
    ['network', 6],
    ['interrupted', 130],
    ['stdout_closed', 141],
  ])('maps the class %s to %i (docs/design.md)', (cls, code) => {
    expect(EXIT_CODES[cls]).toBe(code);
    expect(exitCodeFor(new KolegaError(cls, 'x', 'y'))).toBe(code);
  });

  it('documents every status it maps, and no other (kolega help exit-codes)', () => {
    const documented = EXIT_CODE_ROWS.map(([code]) => Number(code)).filter((c) => c !== 0);
    expect(new Set(Object.values(EXIT_CODES))).toEqual(new Set(documented));
  });

  it('maps anything that is not a KolegaError to 1', () => {
    expect(exitCodeFor(new TypeError('boom'))).toBe(1);
    expect(exitCodeFor('a string')).toBe(1);
  });

  it('maps commander exits: asked-for help and version 0, a parse error or forced help 2', () => {
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', ''))).toBe(0);
    expect(exitCodeFor(new CommanderError(0, 'commander.version', ''))).toBe(0);
    expect(exitCodeFor(new CommanderError(0, 'commander.help', ''))).toBe(0);
    expect(exitCodeFor(new CommanderError(1, 'commander.help', ''))).toBe(2);
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toBe(2);
  });
});

describe('reportError', () => {
  it('prints one line with the hint and returns the class status', () => {
    const { io, stdout, stderr } = bufferIO();
    const code = reportError(io, new KolegaError('auth', 'not_signed_in', 'not signed in', { hint: 'run: kolega x' }));
    expect(code).toBe(3);
    expect(stderr.text).toBe('kolega: not signed in (run: kolega x)\n');
    expect(stdout.text).toBe('');
  });

  it('prints nothing for an error the output already showed, but keeps its status', () => {
    const { io, stderr } = bufferIO();
    const err = new KolegaError('config', 'file_corrupt', 'credentials file corrupt', { alreadyShown: true });
    expect(reportError(io, err)).toBe(2);
    expect(stderr.text).toBe('');
  });

  it('is quiet for a closed stdout and exits 141', () => {
    const { io, stderr } = bufferIO();
    expect(reportError(io, new KolegaError('stdout_closed', 'stdout_closed', 'stdout was closed'))).toBe(141);
    expect(stderr.text).toBe('');
  });

  it('a stdout write error: EPIPE quiet (0 becomes 141); ENOSPC one line, 0 or 141 become 1, another failure keeps its status', () => {
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const line =
      'kolega: cannot write to stdout (ENOSPC: no space left on device): free space or redirect the output elsewhere\n';
    const a = bufferIO();
    expect([statusAfterStdoutError(a.io, 0, epipe), statusAfterStdoutError(a.io, 0, undefined)]).toEqual([141, 0]);
    expect(a.stderr.text).toBe('');
    for (const [code, want] of [
      [0, 1],
      [141, 1],
      [3, 3],
    ]) {
      const b = bufferIO();
      expect(statusAfterStdoutError(b.io, code!, full)).toBe(want);
      expect(b.stderr.text).toBe(line);
    }
  });

  it('says only "interrupted" for a signal, exit 130', () => {
    const { io, stderr } = bufferIO();
    expect(reportError(io, new KolegaError('interrupted', 'interrupted', 'interrupted by SIGINT'))).toBe(130);
    expect(stderr.text).toBe('kolega: interrupted\n');
  });

  it('asks for a bug report for internal errors and unexpected throws, exit 1', () => {
    const a = bufferIO();
    expect(reportError(a.io, new KolegaError('internal', 'internal_error', 'no model was selected'))).toBe(1);
    expect(a.stderr.text).toBe(
      'kolega: no model was selected\nkolega: this is a bug; rerun with --debug and report it\n',
    );
    const b = bufferIO();
    expect(reportError(b.io, new TypeError('x is undefined'))).toBe(1);
    expect(b.stderr.text).toBe(
      'kolega: unexpected error: x is undefined (this is a bug; rerun with --debug and report it)\n',
    );
  });

  it('leaves commander messages to commander (nothing more on stderr)', () => {
    const { io, stderr } = bufferIO();
    expect(reportError(io, new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toBe(2);
    expect(stderr.text).toBe('');
  });

  it('escapes control characters from the message', () => {
    const { io, stderr } = bufferIO();
    reportError(io, new KolegaError('usage', 'x', 'bad \u001b[31mname'));
    expect(stderr.text).toBe('kolega: bad \\x1b[31mname\n');
    expect(printable('a\tb\nc')).toBe('a\tb\nc');
  });
});

describe('main: commands throw, main reports', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** Runs `main(argv)` in-process over buffers with KOLEGA_HOME in a new directory. */
  async function run(argv: string[], setup?: (home: string) => void) {
    const home = mkdtempSync(path.join(tmpdir(), 'kolega-exit-'));
    dirs.push(home);
    setup?.(home);
    const stdout = buffer();
    const stderr = buffer();
    const env = { KOLEGA_HOME: home, NO_COLOR: '1' };
    const code = await main(argv, { stdout: stdout as never, stderr: stderr as never, stdin: process.stdin, env });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('auth status, not signed in: the text report says it, exit 3 and nothing on stderr', async () => {
    const r = await run(['auth', 'status']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('Not signed in: run kolega auth login chatgpt, or set OPENAI_API_KEY');
    expect(r.stderr).toBe('');
  });

  it('auth status --json, not signed in: one stderr line, exit 3', async () => {
    const r = await run(['auth', 'status', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).usable).toBe(false);
    expect(r.stderr).toBe('kolega: no usable credentials (run: kolega auth login chatgpt)\n');
  });

  it('auth status with a corrupt credentials file: exit 2 (--json: one stderr line)', async () => {
    const corrupt = (home: string) => writeFileSync(path.join(home, 'credentials.json'), '{not json', { mode: 0o600 });
    const text = await run(['auth', 'status'], corrupt);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe('');
    const json = await run(['auth', 'status', '--json'], corrupt);
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/^kolega: credentials file corrupt: .+\n$/);
  });

  it('a command that returns exits 0; an unknown flag exits 2 with commander’s line only', async () => {
    expect((await run(['config', 'path'])).code).toBe(0);
    const bad = await run(['config', 'path', '--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe("kolega: unknown option '--nope'");
  });

  it('no arguments: help on stderr, exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: kolega');
    expect(r.stdout).toBe('');
  });
});
