/**
 * `npm run demo` teaches the next step: it shows each command it runs, runs the
 * turn once in text and once with --json (through jq when installed, and without jq when it is
 * not), and ends with the three commands to run on a real account. It prints no runtime warning
 * (item 7). The test runs scripts/demo.ts directly: `npm run demo` would rebuild dist/ under the
 * other test files.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, REPO_ROOT } from '../helpers/cli.js';

const PROMPT = 'What does README.md say about getting started?';
const hasJq = spawnSync('sh', ['-c', 'command -v jq']).status === 0;

function demo(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/demo.ts')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child, Date.now(), 120_000);
}

function expectTeaches(r: { code: number | null; stdout: string; stderr: string }) {
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain(`demo: $ kolega run --verbose "${PROMPT}"`);
  expect(r.stderr).toContain(`demo: $ kolega run --json "${PROMPT}"`);
  // text mode: the answer as text; --json: the events, ending with turn.completed
  expect(r.stdout).toMatch(/^README\.md describes kolega\. To get started it says to run: npm ci/m);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string });
  expect(events[0]!.type).toBe('turn.started');
  expect(events.at(-1)!.type).toBe('turn.completed');
  const next = r.stderr.slice(r.stderr.indexOf('demo: next, on a real account:'));
  expect(next).toMatch(/^ {2}kolega auth login chatgpt\b/m);
  expect(next).toMatch(/^ {2}kolega models\b/m);
  expect(next).toMatch(/^ {2}echo ".*" \| kolega run\b/m);
  // no Node runtime warnings or unhandled rejections
  expect(r.stderr).not.toMatch(/\(node:\d+\)|Warning:|Unhandled/);
}

describe('npm run demo', () => {
  it.skipIf(!hasJq)(
    'with jq: the --json run goes through jq, shown in the command',
    async () => {
      const r = await demo({
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        NO_COLOR: '1',
      });
      expectTeaches(r);
      expect(r.stderr).toMatch(/\| jq -c /);
      expect(r.stdout).not.toMatch(/"type":"text\.delta"/);
    },
    150_000,
  );

  it('without jq on PATH: the --json run prints every event, and says so', async () => {
    const r = await demo({
      PATH: path.join(REPO_ROOT, 'no-such-dir'),
      HOME: process.env.HOME ?? '/tmp',
      NO_COLOR: '1',
    });
    expectTeaches(r);
    expect(r.stderr).toMatch(/jq is not installed/);
    expect(r.stdout).toMatch(/"type":"text\.delta"/);
  }, 150_000);
});
