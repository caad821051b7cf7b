/**
 * Installing kolega as a user would: `npm pack`, then a global install of the
 * tarball into a temporary `--prefix`, then `kolega --version`, `--help` and a run against the fake
 * backend from another directory. The install is `--offline` (npm's cache already holds the
 * dependencies after `npm ci`); only when the cache lacks something does it fall back to
 * `--prefer-offline`, i.e. the npm registry and nothing else.
 *
 * `npm pack --ignore-scripts` packs the `dist/` that `npm test` has just built: running `prepare`
 * (tsc) here would rewrite `dist/` under the other test files that spawn bin/kolega.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBackend } from '../fakes/backend.js';
import { textAnswer } from '../fakes/sse-events.js';
import { REPO_ROOT, baseEnv, tempDir } from '../helpers/cli.js';

const run = promisify(execFile);
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let tmp: { dir: string; cleanup: () => void };
let prefix: string;
let installed: string;
let tarball: string;
let installLog = '';

/** npm with the environment of this process minus npm's own `npm_config_*` (set when under `npm test`). */
function npm(args: string[], cwd: string) {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_config_')) env[k] = v;
  return run('npm', args, {
    cwd,
    env: { ...env, NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

beforeAll(async () => {
  tmp = tempDir('kolega-install-');
  prefix = path.join(tmp.dir, 'prefix');
  expect(existsSync(path.join(REPO_ROOT, 'dist/cli/main.js')), 'dist/ is built (npm run build)').toBe(true);
  const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.dir], REPO_ROOT);
  const info = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(tmp.dir, info[0]!.filename);
  const common = ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', tarball];
  try {
    const r = await npm([...common, '--offline'], tmp.dir);
    installLog = r.stdout + r.stderr;
  } catch (err) {
    // Not everything in npm's cache (e.g. a cache that npm ci did not fill): the registry only.
    if (!/ENOTCACHED|offline/i.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
    const r = await npm([...common, '--prefer-offline'], tmp.dir);
    installLog = r.stdout + r.stderr;
  }
  installed = path.join(prefix, 'bin', 'kolega');
}, 240_000);

afterAll(() => tmp?.cleanup());

describe('npm pack + npm install -g into a temporary prefix', () => {
  it('the tarball holds the built CLI, the launcher, schemas, completions and README, not the sources or tests', async () => {
    const list = (await run('tar', ['-tzf', tarball])).stdout.split('\n');
    for (const f of [
      'package/bin/kolega',
      'package/dist/cli/main.js',
      'package/schema/events.schema.json',
      'package/completions/kolega.bash',
      'package/README.md',
      'package/package.json',
    ]) {
      expect(list).toContain(f);
    }
    expect(list.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toEqual([]);
  });

  it('the install prints no warning', () => {
    expect(installLog).not.toMatch(/\bwarn\b/i);
    expect(existsSync(installed)).toBe(true);
  });

  it('kolega --version, --help and models work from another directory', async () => {
    const elsewhere = tempDir('kolega-elsewhere-');
    try {
      const env = baseEnv({
        PATH: `${path.join(prefix, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        KOLEGA_HOME: path.join(elsewhere.dir, 'home'),
      });
      const v = await run('kolega', ['--version'], { cwd: elsewhere.dir, env });
      expect(v.stdout).toBe(`${VERSION}\n`);
      const h = await run('kolega', ['--help'], { cwd: elsewhere.dir, env });
      expect(h.stdout).toMatch(/^Usage: kolega /);
      expect(h.stderr).toBe('');
      // data files the CLI reads at run time (the bundled model catalogue) are in the package
      const m = await run('kolega', ['models'], { cwd: elsewhere.dir, env });
      expect(m.stdout).toMatch(/^openai_chatgpt\/\S+$/m);
    } finally {
      elsewhere.cleanup();
    }
  });

  it("the installed kolega runs the demo's turn against the fake backend from another directory", async () => {
    const fake = await startFakeBackend({
      apiKeys: ['demo-key'],
      steps: [{ kind: 'sse', events: textAnswer('installed and working') }],
    });
    const elsewhere = tempDir('kolega-elsewhere-');
    try {
      const env = baseEnv({
        KOLEGA_HOME: path.join(elsewhere.dir, 'home'),
        OPENAI_API_KEY: 'demo-key',
        OPENAI_BASE_URL: fake.openaiBaseUrl,
      });
      const r = await run(installed, ['run', '--no-stdin', 'say hello'], { cwd: elsewhere.dir, env });
      expect(r.stdout).toBe('installed and working\n');
      expect(fake.requests).toHaveLength(1);
    } finally {
      await fake.close();
      elsewhere.cleanup();
    }
  });
});
