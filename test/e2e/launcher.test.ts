/**
 * The CommonJS launcher (bin/kolega): `--version`, and help into a pipe (dist/help.json), without the ES-module loader; the built entry point
 * through require() of an ES module or, where Node lacks it, import(); and an unbuilt checkout (no
 * dist/, or dist/ without node_modules/) gets one line saying what to run, exit 1, no stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ev, textAnswer } from '../fakes/sse-events.js';
import { BIN, REPO_ROOT, baseEnv, collect, tempDir } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';

const tmp = tempDir('kolega-launcher-');
afterAll(() => tmp.cleanup());
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Runs `node [nodeFlags] bin args` synchronously (the launcher is what is under test). */
function node(nodeFlags: string[], bin: string, args: string[], env: Record<string, string | undefined> = {}) {
  return spawnSync(process.execPath, [...nodeFlags, bin, ...args], {
    cwd: tmp.dir,
    env: baseEnv({ KOLEGA_HOME: tmp.dir, ...env }),
    encoding: 'utf8',
  });
}

/** A copy of the package's launcher and manifest at `dir`, plus dist/ when asked (never node_modules/). */
function checkout(dir: string, withDist: boolean): string {
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  for (const f of ['bin/kolega', 'bin/package.json', 'package.json'])
    cpSync(path.join(REPO_ROOT, f), path.join(dir, f));
  if (withDist) cpSync(path.join(REPO_ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  return path.join(dir, 'bin', 'kolega');
}

describe('launcher', () => {
  const fx = useFakeBackend();

  it('--version is answered by the CommonJS launcher: the ES-module loader is never started', () => {
    const probe = path.join(tmp.dir, 'loaded.cjs');
    // Lists Node's internal modules at exit; the ES loader's own modules show whether it ran.
    writeFileSync(probe, "process.on('exit', () => process.stderr.write(process.moduleLoadList.join('\\n')));\n");
    const r = node(['--require', probe], BIN, ['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.stderr).not.toContain('internal/modules/esm/loader');
    // Help into a pipe comes from dist/help.json: the loader is not started either.
    const piped = node(['--require', probe], BIN, ['run', '--help']);
    expect(piped.status).toBe(0);
    expect(piped.stdout).toMatch(/^Usage: kolega run/);
    expect(piped.stderr).not.toContain('internal/modules/esm/loader');
    // Help the snapshot does not hold (a global flag first) goes through the CLI: the probe is not blind.
    const help = node(['--require', probe], BIN, ['--no-color', '--help']);
    expect(help.stderr).toContain('internal/modules/esm/loader');
  });

  for (const [how, flags] of [
    ['require() of the ES entry', []],
    ['import() where require() of ES modules is off', ['--no-experimental-require-module']],
  ] as const) {
    it(`runs a turn through ${how}`, async () => {
      fx.fake.push({ kind: 'sse', events: textAnswer('loaded either way') });
      const child = spawn(process.execPath, [...flags, BIN, 'run', '--no-stdin', 'hi'], {
        cwd: tmp.dir,
        env: baseEnv(fx.env()),
      });
      const r = await collect(child);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('loaded either way\n');
      expect(r.code).toBe(0);
    });
  }

  it('stderr styles still apply with FORCE_COLOR (chalk is imported only when colour is on)', async () => {
    fx.fake.push({
      kind: 'sse',
      events: [ev.created(), ev.reasoningDelta('thinking'), ...textAnswer('styled').slice(1)],
    });
    const child = spawn(process.execPath, [BIN, 'run', '--verbose', '--no-stdin', 'hi'], {
      cwd: tmp.dir,
      env: { ...baseEnv(fx.env()), NO_COLOR: '', FORCE_COLOR: '1' },
    });
    const r = await collect(child);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('styled\n');
    expect(r.stderr).toContain('\x1b[2mthinking');
  });

  describe('an unbuilt checkout', () => {
    const bare = checkout(path.join(tmp.dir, 'bare'), false);
    const noDeps = checkout(path.join(tmp.dir, 'nodeps'), true);

    for (const [how, flags] of [
      ['require()', []],
      ['import()', ['--no-experimental-require-module']],
    ] as const) {
      it(`without dist/ prints one line naming npm ci and exits 1 (${how})`, () => {
        for (const args of [['--help'], ['run', 'hi'], []]) {
          const r = node([...flags], bare, args);
          expect(r.status).toBe(1);
          expect(r.stdout).toBe('');
          expect(r.stderr).toBe(
            `kolega: this copy of kolega is not built (dist/ is missing): run \`npm ci\` (or \`npm run build\`) in ${path.join(tmp.dir, 'bare')}\n`,
          );
        }
      });

      it(`with dist/ but no node_modules/ prints one line naming npm ci and exits 1 (${how})`, () => {
        const r = node([...flags], noDeps, ['run', 'hi']);
        expect(r.status).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr.split('\n')).toHaveLength(2); // one line and its newline
        expect(r.stderr).toMatch(
          /^kolega: kolega cannot load its modules \(.*'commander'.*\): run `npm ci` \(or `npm run build`\) in /,
        );
        expect(r.stderr).not.toMatch(/\n\s+at /);
      });
    }

    it('still answers --version', () => {
      const r = node([], bare, ['--version']);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
    });

    it('with dist/ but no node_modules/, help into a pipe still prints (from dist/help.json)', () => {
      const r = node([], noDeps, ['--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: kolega/);
    });
  });
});
