/**
 * Start-up stays lazy (README "Performance"): `kolega --version`, and help printed into a pipe
 * (dist/help.json), load nothing of the CLI; other help loads no undici (npm or Node's bundled
 * copy), ora, conf, chalk, HTTP, tool, store or protocol code. Checked by tracing every module the real binary resolves; not timed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, baseEnv, tempDir } from '../helpers/cli.js';

const ENTRY = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
const TRACE_HOOK = fileURLToPath(new URL('../helpers/load-trace.mjs', import.meta.url));
const tmp = tempDir('kolega-lazy-');
afterAll(() => tmp.cleanup());

/**
 * Runs bin/kolega with `args` and returns what it printed and every module it loaded. Module hooks
 * do not see a require() of an ES module, so the launcher is made to take its import() path
 * (`--no-experimental-require-module`): the module graph it loads is the same either way.
 */
function trace(
  args: string[],
  viaRequire = false,
): { stdout: string; code: number | null; urls: string[]; builtins: string[] } {
  const file = path.join(tmp.dir, `${args.join('_').replace(/\W/g, '')}${viaRequire ? '-req' : ''}.trace`);
  const flags = viaRequire ? [] : ['--no-experimental-require-module'];
  const r = spawnSync(process.execPath, [...flags, '--import', TRACE_HOOK, BIN, ...args], {
    cwd: REPO_ROOT,
    env: baseEnv({ KOLEGA_LOAD_TRACE: file, KOLEGA_HOME: tmp.dir }),
    encoding: 'utf8',
  });
  const lines = readFileSync(file, 'utf8').split('\n');
  const urls = lines.filter((l) => l.startsWith('url ')).map((l) => l.slice(4).replace(`file://${REPO_ROOT}`, ''));
  const builtins = lines.filter((l) => l.startsWith('builtin ')).map((l) => l.slice(8));
  return { stdout: r.stdout, code: r.status, urls, builtins };
}

const HEAVY_PACKAGES =
  /node_modules\/(undici|ws|ora|conf|chalk|atomically|eventsource-parser|env-paths|ajv|@modelcontextprotocol)\//;
// auth/constants.js and store/setting-keys.js are plain data (no imports): help texts may show them.
const HEAVY_OWN =
  /dist\/core\/(http|turn|responses|tools|store\/(?!setting-keys\.js)|auth\/(?!constants\.js)|providers)/;
const HEAVY_BUILTINS = /^NativeModule (http|https|tls|_http_\w+|internal\/deps\/undici\/undici|zlib)$/; // (worker_threads: the trace hook itself; child_process: commander)

describe('start-up stays lazy', () => {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

  for (const flag of ['--version', '-V']) {
    it(`${flag} prints the version and loads no part of the CLI`, () => {
      const t = trace([flag]);
      expect(t.code).toBe(0);
      expect(t.stdout).toBe(`${pkg.version}\n`);
      expect(t.urls.filter((u) => u.includes('node_modules/') || u.includes('dist/'))).toEqual([]);
      expect(t.builtins.filter((b) => HEAVY_BUILTINS.test(b))).toEqual([]);
    });
  }

  // Help into a pipe comes from dist/help.json (bin/kolega): nothing of the CLI is loaded.
  for (const args of [['--help'], ['run', '--help'], ['help', 'sessions', 'list'], ['auth', 'login', '-h']]) {
    it(`${args.join(' ')} into a pipe prints the CLI's own help text and loads no part of the CLI`, () => {
      const t = trace(args);
      expect(t.code).toBe(0);
      expect(t.urls.filter((u) => u.includes('node_modules/') || u.includes('dist/cli/'))).toEqual([]);
      expect(t.builtins.filter((b) => HEAVY_BUILTINS.test(b))).toEqual([]);
      // The same bytes the CLI itself prints for this argv (entry point called directly).
      const direct = spawnSync(
        process.execPath,
        [
          '-e',
          `process.argv.splice(1, 0, 'kolega'); require(${JSON.stringify(ENTRY)}).runFromProcess()`,
          '--',
          ...args,
        ],
        { cwd: REPO_ROOT, env: baseEnv({ KOLEGA_HOME: tmp.dir }), encoding: 'utf8' },
      );
      expect(direct.status).toBe(0);
      expect(t.stdout).toBe(direct.stdout);
      expect(t.stdout).toMatch(/^Usage: kolega/);
    });
  }

  // Help that is not in the snapshot (here: with a global flag before it) takes the CLI's path.
  const viaCli = [
    ['--no-color', '--help'],
    ['--no-color', 'run', '--help'],
  ];
  for (const args of viaCli) {
    it(`${args.join(' ')} loads commander and the command declarations only`, () => {
      const t = trace(args);
      expect(t.code).toBe(0);
      expect(t.stdout).toContain('Usage: kolega');
      expect(t.urls.some((u) => u.includes('node_modules/commander/'))).toBe(true);
      expect(t.urls.filter((u) => HEAVY_PACKAGES.test(u) || HEAVY_OWN.test(u) || u.includes('dist/cli/run/'))).toEqual(
        [],
      );
      expect(t.builtins.filter((b) => HEAVY_BUILTINS.test(b))).toEqual([]);
    });
  }

  for (const args of viaCli) {
    it(`${args.join(' ')} through require() of the ES entry loads no heavy built-in either`, () => {
      const t = trace(args, true);
      expect(t.code).toBe(0);
      expect(t.stdout).toContain('Usage: kolega');
      expect(t.builtins.filter((b) => HEAVY_BUILTINS.test(b))).toEqual([]);
    });
  }

  it('the trace sees heavy modules when a command does load them (the check is not blind)', () => {
    const t = trace(['run', '--no-stdin', 'hi']); // no credentials: exits 3 after loading the run path
    expect(t.code).toBe(3);
    expect(t.urls.some((u) => HEAVY_OWN.test(u))).toBe(true);
  });
});
