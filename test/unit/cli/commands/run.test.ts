/**
 * `kolega run`'s flag parsing in-process (src/cli/commands/run.ts through its `runF`): what each
 * command line becomes as typed options, and which ones commander refuses (exit 2 in the CLI).
 * Whether the behaviour then honours the options is the end-to-end tests' job (test/e2e/run-*.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { registerRun, type RunCommand } from '../../../../src/cli/commands/run.js';
import { conversationStart } from '../../../../src/cli/run/session.js';
import { KolegaError } from '../../../../src/core/errors.js';
import { parseCommand } from '../../../helpers/parse-command.js';

const parse = (...argv: string[]) => parseCommand<RunCommand>(registerRun, ['run', ...argv]);
const options = async (...argv: string[]) => (await parse(...argv)).parsed.options;
/** Parsing fails with a usage error whose stderr matches `message`; the behaviour is not called. */
async function refused(argv: string[], message: RegExp): Promise<void> {
  const r = await parse(...argv);
  expect(r.calls).toEqual([]);
  expect(r.error?.exitCode).toBe(1); // commander's; src/cli/exit.ts (exitCodeFor) maps every parse error to exit 2
  expect(r.stderr).toMatch(message);
}

describe('kolega run: defaults', () => {
  it('gives the documented defaults and keeps the prompt words apart', async () => {
    const { prompt, options: o } = (await parse('fix', 'the', 'bug')).parsed;
    expect(prompt).toEqual(['fix', 'the', 'bug']);
    expect(o).toEqual({
      sandbox: 'read-only',
      tools: true,
      maxToolCalls: 50,
      idleTimeout: 300,
      projectDoc: true,
    });
  });

  it('takes no prompt words (stdin) and "-" as given', async () => {
    expect((await parse()).parsed.prompt).toEqual([]);
    expect((await parse('-')).parsed.prompt).toEqual(['-']);
  });
});

describe('kolega run: -i/--image', () => {
  it('is repeatable and splits comma-separated paths, in order', async () => {
    expect((await options('-i', 'a.png,b.png', '--image', 'c.png', 'hi')).image).toEqual(['a.png', 'b.png', 'c.png']);
  });

  it('refuses an empty piece (a,,b or a trailing comma)', async () => {
    await refused(['-i', 'a.png,,b.png', 'hi'], /image paths separated by commas/);
    await refused(['-i', 'a.png,', 'hi'], /image paths separated by commas/);
  });
});

describe('kolega run: -s/--sandbox', () => {
  it.each([
    ['read-only', 'read-only'],
    ['workspace-write', 'workspace-write'],
    ['full-access', 'full-access'],
    ['danger-full-access', 'full-access'],
  ])('-s %s means %s', async (given, level) => {
    expect((await options('-s', given, 'x')).sandbox).toBe(level);
    expect((await options(`--sandbox=${given}`, 'x')).sandbox).toBe(level);
  });

  it('refuses another level, naming the choices', async () => {
    await refused(['-s', 'yolo', 'x'], /read-only, workspace-write, full-access/);
  });
});

describe('kolega run: sessions', () => {
  it('parses --resume, --continue and --fork into their options', async () => {
    expect((await options('--resume', '0196f3', 'go on')).resume).toBe('0196f3');
    expect((await options('--continue', 'go on')).continue).toBe(true);
    expect((await options('--fork', '0196f3', 'try again')).fork).toBe('0196f3');
    expect((await options('--ephemeral', 'x')).ephemeral).toBe(true);
  });

  it('refuses an empty session id', async () => {
    await refused(['--resume', '', 'x'], /must not be empty/);
    await refused(['--fork', ' ', 'x'], /must not be empty/);
  });

  it('hands two of them to the behaviour, which refuses the combination (so --json can report it)', async () => {
    const o = await options('--resume', 'a', '--fork', 'b', '--continue', 'x');
    expect(() => conversationStart(o, '/w')).toThrow(KolegaError);
    expect(() => conversationStart(o, '/w')).toThrow('--resume and --continue and --fork cannot be used together');
    expect(conversationStart(await options('--continue', 'x'), '/w')).toEqual({ kind: 'continue', cwd: '/w' });
    expect(conversationStart(await options('x'), '/w')).toEqual({ kind: 'new' });
  });
});

describe('kolega run: --transport', () => {
  it.each(['auto', 'websocket', 'http'])('accepts %s', async (mode) => {
    expect((await options('--transport', mode, 'x')).transport).toBe(mode);
  });

  it('leaves it unset by default (the transport setting decides) and refuses other modes', async () => {
    expect((await options('x')).transport).toBeUndefined();
    await refused(['--transport', 'grpc', 'x'], /Allowed choices are auto, websocket, http/);
  });
});

describe('kolega run: negatable and repeatable flags', () => {
  it('turns --no-tools, --no-project-doc and --no-stdin into false, --stdin into true', async () => {
    const o = await options('--no-tools', '--no-project-doc', '--no-stdin', 'x');
    expect(o).toMatchObject({ tools: false, projectDoc: false, stdin: false });
    expect((await options('--stdin', 'x')).stdin).toBe(true);
    expect((await options('x')).stdin).toBeUndefined();
  });

  it('collects --add-dir in order and refuses an empty one', async () => {
    expect((await options('--add-dir', '/a', '--add-dir', '/b', 'x')).addDir).toEqual(['/a', '/b']);
    await refused(['--add-dir', '', 'x'], /must not be empty/);
  });

  it("accepts Codex's --skip-git-repo-check and ignores it", async () => {
    expect((await parse('--skip-git-repo-check', 'x')).calls).toHaveLength(1);
  });

  it('keeps both instruction flags for the behaviour to reject together', async () => {
    const o = await options('--instructions', 'be brief', '--instructions-file', 'i.md', 'x');
    expect(o).toMatchObject({ instructions: 'be brief', instructionsFile: 'i.md' });
  });

  it('refuses an unknown option', async () => {
    await refused(['--temperature', '0', 'x'], /unknown option '--temperature'/);
  });
});

describe('kolega run: numbers', () => {
  it('parses seconds, counts and token caps', async () => {
    const o = await options(
      '--timeout',
      '1.5',
      '--idle-timeout',
      '60',
      '--max-tool-calls',
      '0',
      '--max-output-tokens',
      '800',
      '--tool-timeout',
      '30',
      'x',
    );
    expect(o).toMatchObject({ timeout: 1.5, idleTimeout: 60, maxToolCalls: 0, maxOutputTokens: 800, toolTimeout: 30 });
  });

  it.each([
    [['--timeout', '0'], /positive number of seconds/],
    [['--timeout', 'soon'], /positive number of seconds/],
    [['--idle-timeout', '3000000'], /at most 2147483 seconds/],
    [['--max-tool-calls', '-1'], /whole number >= 0/],
    [['--max-tool-calls', '2.5'], /whole number >= 0/],
    [['--max-output-tokens', '0'], /whole number >= 1/],
    [['-m', ''], /must not be empty/],
    [['-C', ''], /must not be empty/],
  ])('refuses %j', async (flags, message) => {
    await refused([...flags, 'x'], message);
  });
});
