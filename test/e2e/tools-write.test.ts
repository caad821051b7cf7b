/**
 * Tools that change things, end to end: the real binary against the fake backend, under
 * workspace-write. A scripted turn edits a file and runs `npm test` inside the sandbox; every tool
 * is refused outside the workspace; --add-dir; two calls in one response (B27); SIGINT during a
 * long shell command (B38b).
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { ev, textAnswer, toolCall } from '../fakes/sse-events.js';
import { collect, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { processesMatching, uniqueSleepSeconds, waitFor } from '../helpers/procs.js';
import { parseEvents } from '../helpers/schema.js';

let fake: FakeBackend;
let home: { dir: string; cleanup: () => void };
let area: { dir: string; cleanup: () => void };
let ws: string;
let outside: string;

beforeEach(async () => {
  home = tempDir();
  area = tempDir('kolega-ws-');
  ws = path.join(realpathSync(area.dir), 'ws');
  outside = path.join(realpathSync(area.dir), 'outside');
  mkdirSync(ws);
  mkdirSync(outside);
  fake = await startFakeBackend();
});
afterEach(async () => {
  await fake.close();
  home.cleanup();
  area.cleanup();
});

const env = () => ({ KOLEGA_HOME: home.dir, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.openaiBaseUrl });

/** The function_call_output items of request `i`, by call id. */
function outputsOf(i: number): Record<string, string> {
  const input = fake.requests[i]!.body.input as { type: string; call_id?: string; output?: string }[];
  return Object.fromEntries(input.filter((x) => x.type === 'function_call_output').map((x) => [x.call_id!, x.output!]));
}

describe('workspace-write tools end to end', { timeout: 60_000 }, () => {
  it('edits a file and runs npm test inside the sandbox', async () => {
    writeFileSync(
      path.join(ws, 'package.json'),
      JSON.stringify({ name: 'demo', version: '1.0.0', scripts: { test: 'node check.js' } }),
    );
    writeFileSync(
      path.join(ws, 'check.js'),
      "const v = require('./value.js'); if (v !== 42) { console.error('FAIL: got ' + v); process.exit(1); } console.log('PASS');\n",
    );
    writeFileSync(path.join(ws, 'value.js'), 'module.exports = 41;\n');
    fake.push(
      { kind: 'sse', events: toolCall('c1', 'edit_file', { path: 'value.js', old_string: '41', new_string: '42' }) },
      { kind: 'sse', events: toolCall('c2', 'shell', { command: 'npm test' }) },
      { kind: 'sse', events: textAnswer('Fixed and tested.') },
    );
    const r = await runCli(['run', '--json', '-s', 'workspace-write', '-C', ws, 'make the test pass'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events[0]).toMatchObject({
      sandbox: 'workspace-write',
      tools: ['read_file', 'list_dir', 'grep', 'write_file', 'edit_file', 'shell'],
    });
    expect(readFileSync(path.join(ws, 'value.js'), 'utf8')).toBe('module.exports = 42;\n');
    expect(outputsOf(1).c1).toMatch(/^edited value\.js: replaced 1 occurrence/);
    expect(outputsOf(2).c2).toMatch(/^exit code 0;/);
    expect(outputsOf(2).c2).toContain('PASS');
    const shellResult = events.find((e) => e.type === 'tool.result' && e.name === 'shell')!;
    expect(shellResult).toMatchObject({ status: 'ok', exit_code: 0 });
    expect(r.stdout).toContain('"final_text":"Fixed and tested."');
  });

  it('lets no tool write outside the workspace', async () => {
    const victim = path.join(outside, 'victim.txt');
    writeFileSync(victim, 'original\n');
    symlinkSync(victim, path.join(ws, 'link.txt'));
    symlinkSync(outside, path.join(ws, 'outdir'));
    fake.push({
      kind: 'sse',
      events: [
        ev.created(),
        ev.callDone('w1', 'write_file', JSON.stringify({ path: victim, content: 'x' })),
        ev.callDone('w2', 'write_file', JSON.stringify({ path: 'link.txt', content: 'x' })),
        ev.callDone('w3', 'write_file', JSON.stringify({ path: 'outdir/new.txt', content: 'x' })),
        ev.callDone('w4', 'edit_file', JSON.stringify({ path: 'link.txt', old_string: 'original', new_string: 'x' })),
        ev.callDone('w5', 'write_file', JSON.stringify({ path: '../outside/new2.txt', content: 'x' })),
        ev.callDone(
          's1',
          'shell',
          JSON.stringify({
            command: `echo x > ${victim}; echo x > link.txt; echo x > outdir/new3.txt; echo x > ${outside}/new4.txt; true`,
          }),
        ),
        ev.completed(),
      ],
    });
    fake.push({ kind: 'sse', events: textAnswer('tried') });
    const r = await runCli(['run', '-s', 'workspace-write', '-C', ws, 'escape'], { env: env(), killAfterMs: 50_000 });
    expect(r.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('original\n');
    for (const f of ['new.txt', 'new2.txt', 'new3.txt', 'new4.txt'])
      expect(existsSync(path.join(outside, f))).toBe(false);
    const out = outputsOf(1);
    for (const id of ['w1', 'w2', 'w3', 'w4', 'w5']) expect(out[id]).toMatch(/outside the workspace/);
    expect(out.s1).toMatch(/Read-only file system|No such file or directory/);
    // denied calls are shown on stderr in text mode
    expect(r.stderr.match(/tool call (write_file|edit_file) denied/g)?.length).toBe(5);
  });

  it('--add-dir makes exactly that directory writable', async () => {
    const granted = path.join(outside, 'granted');
    mkdirSync(granted);
    fake.push(
      {
        kind: 'sse',
        events: [
          ev.created(),
          ev.callDone('a1', 'write_file', JSON.stringify({ path: path.join(granted, 'ok.txt'), content: 'ok' })),
          ev.callDone('a2', 'write_file', JSON.stringify({ path: path.join(outside, 'no.txt'), content: 'no' })),
          ev.callDone('a3', 'shell', JSON.stringify({ command: `echo sh > ${granted}/sh.txt && echo wrote` })),
          ev.completed(),
        ],
      },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '-s', 'workspace-write', '-C', ws, '--add-dir', granted, 'write'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(granted, 'ok.txt'), 'utf8')).toBe('ok');
    expect(readFileSync(path.join(granted, 'sh.txt'), 'utf8')).toBe('sh\n');
    expect(existsSync(path.join(outside, 'no.txt'))).toBe(false);
    expect(outputsOf(1).a2).toMatch(/outside the workspace/);
  });

  it('rejects an --add-dir that does not exist with exit 2', async () => {
    const r = await runCli(['run', '-s', 'workspace-write', '--add-dir', path.join(outside, 'missing'), 'hi'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--add-dir .*missing is not a directory/);
    expect(fake.requests).toHaveLength(0);
  });

  it('runs both calls of one response even when one fails, and sends both results (B27)', async () => {
    writeFileSync(path.join(ws, 'x'), 'content of x\n');
    fake.push(
      {
        kind: 'sse',
        events: [
          ev.created(),
          ev.callAdded('call_a', 'get_time'),
          ev.callAdded('call_b', 'read_file'),
          ev.callArgsDelta('{"path":"x"}', 'fc_call_b'),
          ev.callArgsDelta('{}', 'fc_call_a'),
          ev.callDone('call_b', 'read_file', '{"path":"x"}'),
          ev.callDone('call_a', 'get_time', '{}'),
          ev.completed(),
        ],
      },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--json', '-C', ws, 'go'], { env: env(), killAfterMs: 50_000 });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(
      events
        .filter((e) => e.type === 'tool.call')
        .map((e) => e.call_id)
        .sort(),
    ).toEqual(['call_a', 'call_b']);
    const results = events.filter((e) => e.type === 'tool.result');
    expect(results.map((e) => [e.call_id, e.status]).sort()).toEqual([
      ['call_a', 'error'],
      ['call_b', 'ok'],
    ]);
    const out = outputsOf(1);
    expect(out.call_a).toMatch(/unknown tool "get_time"/);
    expect(out.call_b).toContain('content of x');
    expect(r.stdout.endsWith('\n')).toBe(true);
  });

  it('exits 130 on SIGINT during a long shell command and leaves no process behind (B38b)', async () => {
    const marker = uniqueSleepSeconds();
    fake.push({ kind: 'sse', events: toolCall('s1', 'shell', { command: `(sleep ${marker} &); sleep ${marker}` }) });
    const child = spawnCli(['run', '-s', 'workspace-write', '-C', ws, 'sleep'], { env: env(), killAfterMs: 50_000 });
    const done = collect(child, Date.now(), 50_000);
    // bubblewrap's own two processes carry the marker in their command lines too, so on a loaded
    // machine the SIGINT may come while the sandbox is still being set up: its PID 1 has then left
    // kolega's process group (--new-session) without yet being tied to its parent, and killing the
    // group alone left the whole sandbox running. Both moments must leave nothing behind.
    expect(await waitFor(() => processesMatching(`sleep ${marker}`).length >= 2, 20_000)).toBe(true);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    // (no check of the "interrupted" line: when-exit, loaded by atomically, re-raises SIGINT, which
    // the run's handler takes as a second Ctrl-C; reported to the signals owner)
    expect(await waitFor(() => processesMatching(`sleep ${marker}`).length === 0, 20_000)).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('keeps shell off under read-only and says why when the model calls it anyway', async () => {
    fake.push(
      { kind: 'sse', events: toolCall('s1', 'shell', { command: 'touch nope' }) },
      { kind: 'sse', events: textAnswer('ok') },
    );
    const r = await runCli(['run', '-C', ws, 'x'], { env: env(), killAfterMs: 50_000 });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(ws, 'nope'))).toBe(false);
    expect(r.stderr).toMatch(/tool call shell denied: .*--sandbox workspace-write/);
    expect((fake.requests[0]!.body.tools as { name: string }[]).map((t) => t.name)).toEqual([
      'read_file',
      'list_dir',
      'grep',
    ]);
  });

  it('keeps the sandbox offline unless --network is given', async () => {
    // The fake backend itself is the 127.0.0.1 server the command tries to reach.
    const probe = `node -e "require('http').get('${fake.url}/ping',r=>console.log('status',r.statusCode)).on('error',e=>console.log('neterr',e.code))"`;
    const script = () => [
      { kind: 'sse' as const, events: toolCall('n1', 'shell', { command: probe }) },
      { kind: 'sse' as const, events: textAnswer('ok') },
    ];
    fake.push(...script());
    const off = await runCli(['run', '-s', 'workspace-write', '-C', ws, 'net'], { env: env(), killAfterMs: 50_000 });
    expect(off.code).toBe(0);
    expect(outputsOf(1).n1).toMatch(/neterr E(CONNREFUSED|NETUNREACH)/);
    fake.push(...script());
    const on = await runCli(['run', '-s', 'workspace-write', '--network', '-C', ws, 'net'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(on.code).toBe(0);
    expect(fake.requests.some((r) => r.path === '/ping')).toBe(true);
    const last = fake.requests
      .map((r, i) => [r.path, i] as const)
      .filter(([p]) => p === '/v1/responses')
      .at(-1)![1];
    expect(outputsOf(last).n1).toMatch(/status 404/);
  });
});
