/**
 * Shell completion: the committed scripts in completions/ are current, bash completes
 * `kolega au<Tab>` and `kolega run --sandbox <Tab>`, and zsh/fish scripts work when those shells
 * are installed (.ci/run installs them).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';
import { completionSpec } from '../../src/cli/completion/spec.js';
import { bashScript, fishScript, zshScript } from '../../src/cli/completion/shells.js';
import { BIN, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { staleFiles } from '../../scripts/gen-docs.js';

const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const committed = (shell: string) => path.join(REPO_ROOT, 'completions', `kolega.${shell}`);

/** The program as shipped, plus a stub `auth` command when that engineer's work is not merged yet. */
function programWithAuth() {
  const sink = { write: () => true } as unknown as CliContext['stdout'];
  const program = buildProgram({ stdout: sink, stderr: sink, stdin: process.stdin, env: {} });
  if (!program.commands.some((c) => c.name() === 'auth')) {
    const auth = program.command('auth').summary('sign in and out');
    auth.command('login');
    auth.command('logout');
    auth.command('status');
  }
  return program;
}

let tmp: { dir: string; cleanup: () => void };
let withAuth: { bash: string; zsh: string; fish: string };
beforeAll(() => {
  tmp = tempDir();
  const spec = completionSpec(programWithAuth());
  withAuth = {
    bash: path.join(tmp.dir, 'k.bash'),
    zsh: path.join(tmp.dir, 'k.zsh'),
    fish: path.join(tmp.dir, 'k.fish'),
  };
  writeFileSync(withAuth.bash, bashScript(spec));
  writeFileSync(withAuth.zsh, zshScript(spec));
  writeFileSync(withAuth.fish, fishScript(spec));
});
afterAll(() => tmp.cleanup());

/** Completes `words` (the last one is being typed) with the bash script `file`. */
function bashComplete(file: string, words: string[]): string[] {
  const script = `source ${JSON.stringify(file)}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _kolega; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

describe('completion scripts', () => {
  it('completions/ and the README tables are current (run: npm run completions)', () => {
    expect(staleFiles()).toEqual([]);
  });

  it('kolega completion <shell> prints the committed script', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runCli(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(readFileSync(committed(shell), 'utf8'));
    }
    const bad = await runCli(['completion', 'powershell']);
    expect(bad.code).toBe(2);
  });
});

describe('bash', () => {
  it('kolega au<Tab> -> auth', () => {
    expect(bashComplete(withAuth.bash, ['kolega', 'au'])).toEqual(['auth']);
  });

  it('kolega run --sandbox <Tab> -> the three levels', () => {
    for (const file of [committed('bash'), withAuth.bash]) {
      expect(bashComplete(file, ['kolega', 'run', '--sandbox', ''])).toEqual([
        'read-only',
        'workspace-write',
        'full-access',
      ]);
    }
    expect(bashComplete(committed('bash'), ['kolega', '--debug', 'run', '-s', 'w'])).toEqual(['workspace-write']);
  });

  it('kolega run --resume <Tab>, --fork <Tab> and sessions show|rm <Tab> list the recorded session ids', () => {
    const home = path.join(tmp.dir, 'home');
    const bin = path.join(tmp.dir, 'bin');
    mkdirSync(path.join(home, 'sessions'), { recursive: true });
    mkdirSync(bin, { recursive: true });
    symlinkSync(BIN, path.join(bin, 'kolega'));
    const id = '01a237af-6c02-79c1-b4fa-a846c3be4bca';
    const header = {
      type: 'session',
      v: 1,
      id,
      created_at: new Date().toISOString(),
      cwd: '/',
      provider: 'openai',
      model: 'gpt-5.5',
      effort: null,
      sandbox: 'read-only',
      title: 't',
    };
    writeFileSync(path.join(home, 'sessions', `${id}.jsonl`), JSON.stringify(header) + '\n');
    const complete = (words: string[]) => {
      const script = `source ${JSON.stringify(committed('bash'))}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _kolega; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, KOLEGA_HOME: home };
      return execFileSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8', env })
        .split('\n')
        .filter(Boolean);
    };
    expect(complete(['kolega', 'run', '--resume', '01a2'])).toEqual([id]);
    expect(complete(['kolega', 'run', '--fork', ''])).toEqual([id]);
    expect(complete(['kolega', 'sessions', 'show', ''])).toEqual([id]);
    expect(complete(['kolega', 'sessions', 'rm', '01'])).toEqual([id]);
  });

  it('completes subcommands, flags, model ids, efforts, providers and config keys', () => {
    const f = committed('bash');
    expect(bashComplete(f, ['kolega', ''])).toEqual(
      expect.arrayContaining(['run', 'models', 'config', 'doctor', 'completion', 'help']),
    );
    expect(bashComplete(f, ['kolega', 'run', '--ef'])).toEqual(['--effort']);
    expect(bashComplete(f, ['kolega', 'run', '-m', 'openai/gpt-5.'])).toEqual([
      'openai/gpt-5.6-sol',
      'openai/gpt-5.6-terra',
      'openai/gpt-5.6-luna',
      'openai/gpt-5.5',
      'openai/gpt-5.4',
      'openai/gpt-5.4-mini',
    ]);
    expect(bashComplete(f, ['kolega', 'run', '-m', 'openai/gpt-6.2'])).toEqual([
      'openai/gpt-6.2-sol',
      'openai/gpt-6.2-astra',
    ]);
    expect(bashComplete(f, ['kolega', 'run', '-m', 'gpt-5.5', '-e', ''])).toEqual([
      'low',
      'medium',
      'high',
      'xhigh',
      'max',
      'ultra',
    ]);
    expect(bashComplete(f, ['kolega', 'models', '--provider', ''])).toEqual(['openai_chatgpt', 'openai']);
    expect(bashComplete(f, ['kolega', 'config', 'set', ''])).toEqual([
      'model',
      'effort',
      'provider',
      'codex_version',
      'transport',
      'sandbox_masked_paths',
    ]);
    expect(bashComplete(f, ['kolega', 'config', 'set', 'effort', ''])).toEqual([
      'low',
      'medium',
      'high',
      'xhigh',
      'max',
      'ultra',
    ]);
    expect(bashComplete(f, ['kolega', 'config', 'set', 'provider', 'o'])).toEqual(['openai_chatgpt', 'openai']);
    expect(bashComplete(f, ['kolega', 'config', 'set', 'model', 'openai/gpt-5.4'])).toEqual([
      'openai/gpt-5.4',
      'openai/gpt-5.4-mini',
    ]);
    expect(bashComplete(f, ['kolega', 'config', 'get', 'model', ''])).toEqual([]); // nothing after the only argument
    expect(bashComplete(f, ['kolega', 'help', 'e'])).toEqual(['exit-codes', 'environment']);
    // the targets of auth login/logout
    expect(bashComplete(f, ['kolega', 'auth', 'login', ''])).toEqual(['chatgpt', 'openai']);
    expect(bashComplete(f, ['kolega', 'auth', 'logout', 'o'])).toEqual(['openai']);
    // a flag value that looks like a subcommand does not change the command path
    expect(bashComplete(f, ['kolega', 'run', '-m', 'config', '--s'])).toEqual(
      expect.arrayContaining(['--sandbox', '--stdin']),
    );
  });
});

describe.skipIf(!has('zsh'))('zsh', () => {
  const zsh = (file: string, words: string[]): string[] => {
    const script = [
      'compdef() { :; }',
      'compadd() { [[ "$1" == "--" ]] && shift; print -rl -- "$@"; }',
      '_files() { print -r -- "<files>"; }',
      `source ${JSON.stringify(file)}`,
      `words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _kolega`,
    ].join('\n');
    const out = execFileSync('zsh', ['-f', '-c', script], { encoding: 'utf8' });
    const prefix = words[words.length - 1]!;
    return out.split('\n').filter((l) => l !== '' && l.startsWith(prefix)); // zsh itself filters by prefix
  };

  it('parses, and completes au<Tab>, --sandbox <Tab>, file flags', () => {
    expect(spawnSync('zsh', ['-n', committed('zsh')]).status).toBe(0);
    expect(zsh(withAuth.zsh, ['kolega', 'au'])).toEqual(['auth']);
    expect(zsh(committed('zsh'), ['kolega', 'run', '--sandbox', ''])).toEqual([
      'read-only',
      'workspace-write',
      'full-access',
    ]);
    expect(zsh(committed('zsh'), ['kolega', 'run', '--instructions-file', ''])).toEqual(['<files>']);
    expect(zsh(committed('zsh'), ['kolega', 'config', 'set', 'effort', ''])).toEqual([
      'low',
      'medium',
      'high',
      'xhigh',
      'max',
      'ultra',
    ]);
  });
});

describe.skipIf(!has('fish'))('fish', () => {
  const fish = (file: string, line: string): string[] =>
    execFileSync('fish', ['--no-config', '-c', `source ${JSON.stringify(file)}; complete -C ${JSON.stringify(line)}`], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]!);

  it('completes au<Tab>, --sandbox <Tab>, models and config keys', () => {
    expect(fish(withAuth.fish, 'kolega au')).toEqual(['auth']);
    expect(fish(committed('fish'), 'kolega run --sandbox ').sort()).toEqual([
      'full-access',
      'read-only',
      'workspace-write',
    ]);
    expect(fish(committed('fish'), 'kolega run -m openai/gpt-5.').sort()).toEqual([
      'openai/gpt-5.4',
      'openai/gpt-5.4-mini',
      'openai/gpt-5.5',
      'openai/gpt-5.6-luna',
      'openai/gpt-5.6-sol',
      'openai/gpt-5.6-terra',
    ]);
    expect(fish(committed('fish'), 'kolega config get ').sort()).toEqual([
      'codex_version',
      'effort',
      'model',
      'provider',
      'sandbox_masked_paths',
      'transport',
    ]);
    expect(fish(committed('fish'), 'kolega config set provider ').sort()).toEqual(['openai', 'openai_chatgpt']);
  });
});
