/**
 * Colour and terminal control on a real terminal: `kolega run` under a pseudo-terminal made by
 * util-linux `script`, stdout and stderr both on it, against the fake backend. NO_COLOR (any
 * non-empty value) and --no-color leave no escape sequence at all (no colour, no spinner);
 * TERM=dumb gets no spinner and no cursor movement. The control run (a colour terminal) shows the
 * spinner, so the pseudo-terminal really is one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ev, textAnswer } from '../fakes/sse-events.js';
import { BIN, REPO_ROOT } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';

const hasScript = spawnSync('sh', ['-c', 'command -v script && script --version'], {
  encoding: 'utf8',
}).stdout.includes('util-linux');

const h = useFakeBackend();

/** Shell-quotes one word. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `kolega <args>` on a fresh 100x30 pseudo-terminal with exactly `env` (plus PATH and HOME).
 * @returns the exit status and everything the terminal received (stdout and stderr together)
 */
function onTerminal(args: string[], env: Record<string, string>): Promise<{ code: number | null; screen: string }> {
  const command = `stty cols 100 rows 30; exec ${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (screen += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, screen });
    });
  });
}

/** A reply slow enough to the headers that a spinner gets drawn, with reasoning (dim) and text. */
function slowAnswer() {
  h.fake.push({
    kind: 'sse',
    headersDelayMs: 400,
    events: [
      ev.created(),
      ev.reasoningDelta('thinking hard'),
      ev.reasoningDone('thinking hard'),
      ...textAnswer('plain answer').slice(1),
    ],
  });
}

describe.skipIf(!hasScript)('colour and cursor control on a terminal', () => {
  const env = (extra: Record<string, string>) =>
    ({ ...h.env(), TERM: 'xterm-256color', ...extra }) as Record<string, string>;

  it('control: on a colour terminal the spinner and dim reasoning use escape sequences', async () => {
    slowAnswer();
    const r = await onTerminal(['run', '--no-stdin', 'hi'], env({}));
    expect(r.code).toBe(0);
    expect(r.screen).toContain('plain answer');
    expect(r.screen).toContain('\x1b[');
  });

  it.each([
    ['NO_COLOR=1', { NO_COLOR: '1' }, []],
    ['NO_COLOR=true', { NO_COLOR: 'true' }, []],
    ['NO_COLOR beats FORCE_COLOR', { NO_COLOR: 'yes', FORCE_COLOR: '3' }, []],
    ['--no-color', {}, ['--no-color']],
  ] as const)('%s: no escape sequence at all, the spinner included', async (_name, extra, flags) => {
    slowAnswer();
    const r = await onTerminal([...flags, 'run', '--no-stdin', 'hi'], env(extra));
    expect(r.code).toBe(0);
    expect(r.screen).toContain('plain answer');
    expect(r.screen).toContain('thinking hard');
    expect(JSON.stringify(r.screen)).not.toContain('\\u001b');
  });

  it('TERM=dumb: no spinner and no cursor movement, also with FORCE_COLOR', async () => {
    const variants: Record<string, string>[] = [{ TERM: 'dumb' }, { TERM: 'dumb', FORCE_COLOR: '1' }];
    for (const extra of variants) {
      slowAnswer();
      const r = await onTerminal(['run', '--no-stdin', 'hi'], env(extra));
      expect(r.code).toBe(0);
      expect(r.screen).toContain('plain answer');
      // No cursor hide/show, line erase, cursor moves or carriage-return redraws.
      expect(r.screen).not.toMatch(/\x1b\[\?25[lh]|\x1b\[\d*[KGABCDJ]|\r(?!\n)/);
    }
  });
});
