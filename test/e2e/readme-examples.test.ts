/**
 * Every shell example in README.md runs as written. The ```sh blocks are read
 * from the README; each command (one line, trailing `# comment` removed) runs in bash, in order, in
 * one throw-away environment: `kolega` on PATH is this checkout's bin/kolega, KOLEGA_HOME and HOME
 * are temporary, and the API-key provider points at the local fake backend. A command that cannot
 * run here is listed in SKIPPED with the reason and the test that covers it instead; a new example
 * is run automatically (or fails until it runs, or is listed).
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { textAnswer } from '../fakes/sse-events.js';
import { BIN, REPO_ROOT, baseEnv, tempDir } from '../helpers/cli.js';

const run = promisify(execFile);
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const ANSWER = 'Run npm ci, then npm link; or npm pack and install the tarball globally.';

/** Commands that are not run here, each with why and what covers it. */
const SKIPPED: Record<string, string> = {
  'npm ci && npm run demo': 'installs dependencies; the demo is test/e2e/demo.test.ts',
  'npm ci && npm test': 'the suite itself',
  'npm ci': 'installs dependencies (test/e2e/install.test.ts)',
  'npm link': 'changes the global npm prefix (test/e2e/install.test.ts installs into a temporary one)',
  'npm pack': 'test/e2e/install.test.ts',
  'npm run --silent fake': 'serves until Ctrl-C, in another terminal (test/e2e/fake-script.test.ts)',
  'npm install -g --ignore-scripts ./kolega-*.tgz': 'test/e2e/install.test.ts (into a temporary --prefix)',
  'npm uninstall -g kolega': 'changes the global npm prefix',
  'kolega auth login chatgpt':
    'needs a browser and a ChatGPT account (test/e2e/auth-login.test.ts against the fake issuer)',
  'kolega auth login chatgpt --device-auth': 'needs a person to enter the code (test/e2e/auth-login.test.ts)',
  'kolega completion zsh > "${fpath[1]}/_kolega"':
    "zsh syntax, writes into zsh's function directory (test/e2e/completion.test.ts)",
};

/** The commands of README.md's ```sh blocks, in order, without trailing comments. */
function readmeCommands(markdown: string): string[] {
  const out: string[] = [];
  for (const m of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const raw of m[1]!.split('\n')) {
      const line = raw.replace(/\s+#\s.*$/, '').trim();
      if (line !== '' && !line.startsWith('#')) out.push(line);
    }
  }
  return out;
}

const commands = readmeCommands(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
let fake: FakeBackend;
let tmp: { dir: string; cleanup: () => void };
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeBackend({
    apiKeys: ['sk-readme-example-key-0123456789'],
    fallback: { kind: 'sse', events: textAnswer(ANSWER, 8) },
  });
  tmp = tempDir('kolega-readme-');
  const shims = path.join(tmp.dir, 'bin');
  const home = path.join(tmp.dir, 'user');
  mkdirSync(shims);
  mkdirSync(path.join(home, '.config', 'fish', 'completions'), { recursive: true });
  writeFileSync(path.join(shims, 'kolega'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path.join(shims, 'kolega'), 0o755);
  env = baseEnv({
    PATH: `${shims}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    KOLEGA_HOME: path.join(tmp.dir, 'kolega-home'),
    OPENAI_API_KEY: 'sk-readme-example-key-0123456789',
    OPENAI_BASE_URL: fake.openaiBaseUrl,
    KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl,
    KOLEGA_AUTH_ISSUER: 'http://127.0.0.1:9',
  });
});
afterAll(async () => {
  await fake?.close();
  tmp?.cleanup();
});

describe('README examples', () => {
  it('the README has shell examples, and every skipped one still exists', () => {
    expect(commands.length).toBeGreaterThan(10);
    for (const c of Object.keys(SKIPPED))
      expect(commands, `SKIPPED lists "${c}", which README.md no longer has`).toContain(c);
  });

  it('the headline example prints the answer as one piece of text', async () => {
    const headline = commands[0]!;
    expect(headline).toMatch(/\| kolega run --json \| jq /);
    if (!has('jq')) return; // jq missing: the remaining examples still run below
    const r = await run('bash', ['-o', 'pipefail', '-c', headline], { cwd: REPO_ROOT, env });
    expect(r.stdout).toBe(`${ANSWER}\n`);
  });

  // A line `name=$(...)` sets a shell variable that later lines of the README use ("$id"): its value
  // is kept and passed to them in the environment, as one shell session would.
  const vars: Record<string, string> = {};
  const unset = new Set<string>();
  it.each(commands.filter((c) => !(c in SKIPPED)).map((c, i) => [i + 1, c] as const))('%d: %s', async (_n, command) => {
    const assigned = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(command)?.[1];
    const uses = [...command.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
    if ((/\bjq\b/.test(command) && !has('jq')) || uses.some((v) => unset.has(v))) {
      if (assigned) unset.add(assigned);
      return;
    }
    const script = assigned ? `${command}\nprintf '%s' "$${assigned}"` : command;
    const r = await run('bash', ['-o', 'pipefail', '-e', '-c', script], {
      cwd: REPO_ROOT,
      env: { ...env, ...vars },
      timeout: 60_000, // an example that serves until Ctrl-C fails here, not as a suite timeout
    }).catch((err: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`exit ${err.code}: ${command}\n${err.stderr ?? ''}${err.stdout ?? ''}`);
    });
    expect(r.stderr, command).not.toMatch(/kolega: (error|unexpected)/);
    if (assigned) {
      expect(r.stdout, `${assigned} is set`).not.toBe('');
      vars[assigned] = r.stdout;
    }
  });
});
