/**
 * shell under bubblewrap (workspace-write) and unconfined (full-access): confinement, private /tmp,
 * network, timeout with children, abort, output cap, secrets kept out of the environment.
 * Needs a working bwrap (.ci/run installs it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { probeSandbox } from '../../../../src/core/tools/sandbox-probe.js';
import { SHELL_MAX_OUTPUT_BYTES, shellTool } from '../../../../src/core/tools/shell.js';
import type { Tool, ToolResult } from '../../../../src/core/tools/types.js';
import { processesMatching, uniqueSleepSeconds, waitFor } from '../../../helpers/procs.js';
import { scratch, type Scratch } from '../../../helpers/tool-context.js';

let s: Scratch;
let shell: Tool;
let server: http.Server;
let port: number;

beforeAll(async () => {
  const status = await probeSandbox({ env: process.env });
  if (!status.available) throw new Error(`these tests need bubblewrap: ${status.reason}`);
  shell = shellTool({ bwrap: status.bwrap });
  server = http.createServer((_req, res) => res.end('pong'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  s = scratch('workspace-write');
});
afterEach(() => s.cleanup());

const run = (command: string, extra: Record<string, unknown> = {}): Promise<ToolResult> =>
  shell.run({ command, ...extra }, s.ctx);
const fetchCmd = () =>
  `node -e "require('http').get('http://127.0.0.1:${port}/',r=>r.on('data',d=>console.log('got',String(d)))).on('error',e=>{console.log('neterr',e.code);process.exit(7)})"`;

describe('shell in the bwrap sandbox (workspace-write)', () => {
  it('starts commands from the environment kolega was given (ToolContext.env), secrets removed', async () => {
    s.ctx.env = { ...process.env, KOLEGA_INJECTED_PROBE: 'x', PROBE_FROM_CTX: 'from-ctx', PROBE_API_KEY: 'sk-hidden' };
    const r = await run('echo "[$PROBE_FROM_CTX][$PROBE_API_KEY][$KOLEGA_INJECTED_PROBE]"');
    expect(r.output).toContain('[from-ctx][][]');
  });

  it('runs in the workspace and reports the exit code and interleaved output', async () => {
    const r = await run('pwd; echo out; echo err >&2; echo out2; exit 3');
    expect(r.status).toBe('error');
    expect(r.exit_code).toBe(3);
    expect(r.output).toMatch(/^exit code 3; [\d.]+ s\n/);
    expect(r.output).toContain(`${s.ws}\nout\nerr\nout2`);
  });

  it('writes inside the workspace but not outside it, and /tmp is private', async () => {
    const r = await run(
      `echo in > inside.txt; echo x > ${s.outside}/escape.txt; echo $?; echo y > ${path.dirname(s.ws)}/up.txt; echo $?; ` +
        `echo t > /tmp/kolega-private-probe; cat /tmp/kolega-private-probe; touch $HOME/kolega-home-probe; echo $?`,
    );
    expect(readFileSync(path.join(s.ws, 'inside.txt'), 'utf8')).toBe('in\n');
    expect(existsSync(path.join(s.outside, 'escape.txt'))).toBe(false);
    expect(existsSync(path.join(s.base, 'up.txt'))).toBe(false);
    expect(existsSync('/tmp/kolega-private-probe')).toBe(false);
    expect(existsSync(path.join(process.env.HOME ?? '/root', 'kolega-home-probe'))).toBe(false);
    expect(r.output).toContain('t\n');
  });

  it('can write to an --add-dir directory, and only that one', async () => {
    const granted = path.join(s.outside, 'granted');
    mkdirSync(granted);
    s.ctx.addDirs = [granted];
    await run(`echo ok > ${granted}/a.txt; echo no > ${s.outside}/b.txt`);
    expect(readFileSync(path.join(granted, 'a.txt'), 'utf8')).toBe('ok\n');
    expect(existsSync(path.join(s.outside, 'b.txt'))).toBe(false);
  });

  it('hides the credentials file', async () => {
    const cred = path.join(s.outside, 'credentials.json');
    writeFileSync(cred, '{"access_token":"SECRET-TOKEN"}');
    s.ctx.protectedPaths = [cred];
    const r = await run(`cat ${cred}; echo overwritten > ${cred}`);
    expect(r.output).not.toContain('SECRET-TOKEN');
    expect(readFileSync(cred, 'utf8')).toBe('{"access_token":"SECRET-TOKEN"}');
  });

  it('cannot reach a server on 127.0.0.1 without --network', async () => {
    const r = await run(fetchCmd());
    expect(r.output).toContain('neterr');
    expect(r.output).not.toContain('got pong');
  });

  it('reaches it with --network', async () => {
    s.ctx.network = true;
    const r = await run(fetchCmd());
    expect(r.output).toContain('got pong');
    expect(r.exit_code).toBe(0);
  });

  it('is killed at its timeout together with its children', async () => {
    const marker = uniqueSleepSeconds();
    const r = await run(`(sleep ${marker} &) ; sleep ${marker}`, { timeout_ms: 800 });
    expect(r.status).toBe('error');
    expect(r.output).toMatch(/killed after the 800 ms timeout/);
    expect(await waitFor(() => processesMatching(`sleep ${marker}`).length === 0, 20_000)).toBe(true);
  });

  it('is killed when the turn is aborted (SIGINT)', async () => {
    const marker = uniqueSleepSeconds();
    const p = run(`sleep ${marker}`);
    expect(await waitFor(() => processesMatching(`sleep ${marker}`).length > 0)).toBe(true);
    s.controller.abort();
    await p;
    expect(await waitFor(() => processesMatching(`sleep ${marker}`).length === 0)).toBe(true);
  });

  it('caps the output, keeping the start and the end', async () => {
    const r = await run(`echo START; head -c 200000 /dev/zero | tr '\\0' x; echo; echo END`);
    expect(r.output).toContain('START');
    expect(r.output).toMatch(/END\n?$/);
    expect(r.output).toMatch(/\[\.\.\. \d+ bytes of output omitted \.\.\.\]/);
    expect(Buffer.byteLength(r.output)).toBeLessThan(SHELL_MAX_OUTPUT_BYTES + 200);
  });

  it('does not pass secrets in the environment', async () => {
    process.env.OPENAI_API_KEY = 'sk-should-not-leak';
    try {
      const r = await run('env');
      expect(r.output).not.toContain('sk-should-not-leak');
    } finally {
      delete process.env.OPENAI_API_KEY;
    }
  });

  it('refuses a workdir outside the workspace', async () => {
    const r = await shell
      .run({ command: 'pwd', workdir: s.outside }, s.ctx)
      .catch((e: Error) => ({ status: 'thrown', output: e.message }));
    expect(r.output).toMatch(/outside the workspace/);
  });
});

describe('shell without a sandbox', () => {
  it('needs full-access when bwrap is unavailable', () => {
    expect(shellTool({ bwrap: null }).level).toBe('full-access');
  });

  it('runs unconfined under full-access and still kills its process group at the timeout', async () => {
    s.ctx.sandbox = 'full-access';
    const r = await run(`echo x > ${s.outside}/full.txt; echo done`);
    expect(r.exit_code).toBe(0);
    expect(r.output).toContain('unsandboxed');
    expect(existsSync(path.join(s.outside, 'full.txt'))).toBe(true);
    const marker = uniqueSleepSeconds();
    const t = await run(`sleep ${marker} & sleep ${marker}`, { timeout_ms: 500 });
    expect(t.output).toMatch(/killed after the 500 ms timeout/);
    expect(await waitFor(() => processesMatching(`sleep ${marker}`).length === 0)).toBe(true);
  });
});

describe('probeSandbox', () => {
  it('reports bwrap missing from PATH as unavailable, with a hint', async () => {
    const status = await probeSandbox({ env: { PATH: '/nonexistent' }, fresh: true });
    expect(status).toMatchObject({ available: false, bwrap: null, reason: 'bwrap (bubblewrap) is not installed' });
    expect(status.hint).toMatch(/apt-get install bubblewrap/);
    const real = await probeSandbox({ env: process.env, fresh: true });
    expect(real.available).toBe(true);
  });
});
