/**
 * Help: every command's --help has a one-line summary, its arguments, flags and 2-3 examples;
 * `kolega help exit-codes|environment` print the tables the README mirrors (one source:
 * src/cli/help-topics.ts; README currency is checked in completion.test.ts via gen-docs).
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { EXIT_CODES } from '../../src/cli/exit.js';
import { EXIT_CODE_ROWS, ENVIRONMENT_ROWS } from '../../src/cli/help-topics.js';
import { buildProgram, main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';

function buffers(): { ctx: CliContext; out: () => string } {
  let out = '';
  const w = { write: (s: string) => ((out += s), true), isTTY: false } as unknown as CliContext['stdout'];
  return { ctx: { stdout: w, stderr: w, stdin: process.stdin, env: { NO_COLOR: '1' } }, out: () => out };
}

function allCommands(): { path: string[]; cmd: Command }[] {
  const { ctx } = buffers();
  const out: { path: string[]; cmd: Command }[] = [];
  const walk = (c: Command, p: string[]) => {
    for (const s of c.commands) {
      out.push({ path: [...p, s.name()], cmd: s });
      walk(s, [...p, s.name()]);
    }
  };
  walk(buildProgram(ctx), []);
  return out;
}

describe('--help of every command', () => {
  const cmds = allCommands();
  it('covers the known commands', () => {
    expect(cmds.map((c) => c.path.join(' '))).toEqual(
      expect.arrayContaining(['run', 'models', 'config', 'config set', 'doctor', 'completion', 'help']),
    );
  });
  it.each(cmds.map((c) => [c.path.join(' '), c] as const))('%s', async (_name, { path, cmd }) => {
    expect(cmd.summary() || cmd.description(), 'one-line summary').toMatch(/^[^\n]{10,100}$/m);
    const { ctx, out } = buffers();
    expect(await main([...path, '--help'], ctx)).toBe(0);
    const help = out();
    expect(help).toMatch(new RegExp(`^Usage: kolega ${path.join(' ')}`));
    for (const a of cmd.registeredArguments) expect(help).toContain(a.name());
    for (const o of cmd.options.filter((x) => !x.hidden)) expect(help).toContain(o.long!);
    // global flags and the exit-status topic in every command's help
    expect(help).toMatch(/Global Options:[\s\S]*--debug[\s\S]*--quiet/);
    expect(help).toContain('kolega help exit-codes');
    const examples = help.split('\nExamples:\n')[1];
    expect(examples, 'has an Examples section').toBeDefined();
    const n = examples!
      .split('\n')
      .filter(
        (l) => l.startsWith('  kolega') || l.includes('| kolega') || l.includes('$(kolega') || l.includes('<(kolega'),
      ).length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(3);
  });
});

describe('help topics', () => {
  it('kolega help exit-codes lists every exit status the CLI maps', async () => {
    const r = await runCli(['help', 'exit-codes']);
    expect(r.code).toBe(0);
    for (const [code] of EXIT_CODE_ROWS) expect(r.stdout).toMatch(new RegExp(`^  ${code}\\s+\\S`, 'm'));
    for (const code of Object.values(EXIT_CODES)) expect(EXIT_CODE_ROWS.map((r) => r[0])).toContain(String(code));
    expect(r.stdout).not.toContain('`');
  });

  it('kolega help environment lists the variables', async () => {
    const r = await runCli(['help', 'environment']);
    expect(r.code).toBe(0);
    for (const v of ['KOLEGA_HOME', 'KOLEGA_MODEL', 'HTTPS_PROXY', 'NO_PROXY', 'NODE_EXTRA_CA_CERTS', 'NO_COLOR'])
      expect(r.stdout).toContain(v);
    expect(ENVIRONMENT_ROWS.length).toBeGreaterThan(5);
  });

  it('kolega help <command> shows that command; an unknown topic exits 2', async () => {
    const r = await runCli(['help', 'config', 'set']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: kolega config set/);
    const bad = await runCli(['help', 'nonsense']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('exit-codes');
    const missing = await runCli(['config']); // a group without its subcommand: help on stderr, usage error
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('Usage: kolega config');
    const top = await runCli(['--help']);
    expect(top.stdout).toContain('kolega help exit-codes');
  });
});
