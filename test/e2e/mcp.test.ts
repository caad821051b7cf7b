/**
 * MCP servers as tools, end to end: a stdio server built with the SDK (test/fakes/mcp-server.mjs)
 * whose tool is called and whose result reaches the next request; readOnly levels; a server that
 * crashes at start (exit 2, or a warning with --mcp-optional); servers stopped when the run ends.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startFakeMcpHttp } from '../fakes/mcp-http.js';
import { ev, textAnswer, toolCall } from '../fakes/sse-events.js';
import { collect, runCli, spawnCli } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { waitFor } from '../helpers/procs.js';
import { parseEvents } from '../helpers/schema.js';

const SERVER = fileURLToPath(new URL('../fakes/mcp-server.mjs', import.meta.url));

const h = useFakeBackend();
const env = () => h.env();
const pidFile = () => path.join(h.home, 'mcp.pid');
const logFile = () => path.join(h.home, 'mcp.log');

function writeConfig(servers: Record<string, unknown>): string {
  const f = path.join(h.home, 'mcp.json');
  writeFileSync(f, JSON.stringify({ mcpServers: servers }));
  return f;
}
const stdioServer = (extra: Record<string, unknown> = {}, args: string[] = []) => ({
  command: process.execPath,
  args: [SERVER, '--pidfile', pidFile(), '--logfile', logFile(), ...args],
  ...extra,
});
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('--mcp-config', { timeout: 60_000 }, () => {
  it('offers the tools of a stdio server, routes a call, and sends its result in the next request', async () => {
    const config = writeConfig({ fake: stdioServer() });
    h.fake.push(
      { kind: 'sse', events: toolCall('m1', 'mcp__fake__echo', { text: 'hi there' }) },
      { kind: 'sse', events: textAnswer('The server said hi.') },
    );
    const r = await runCli(['run', '--json', '-s', 'full-access', '--mcp-config', config, 'call echo'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events[0]!.tools).toEqual(
      expect.arrayContaining(['mcp__fake__echo', 'mcp__fake__fail', 'mcp__fake__odd_name_v2', 'mcp__fake__sum']),
    );
    const tools = h.fake.requests[0]!.body.tools as {
      name: string;
      description: string;
      parameters: Record<string, unknown>;
    }[];
    const echo = tools.find((t) => t.name === 'mcp__fake__echo')!;
    expect(echo.description).toContain('Echo the text back');
    expect(echo.parameters).toMatchObject({ type: 'object', properties: { text: { type: 'string' } } });
    expect(tools.find((t) => t.name === 'mcp__fake__fail')!.parameters).toEqual({ type: 'object', properties: {} });
    const input = h.fake.requests[1]!.body.input as { type: string; call_id?: string; output?: string }[];
    expect(input.find((i) => i.type === 'function_call_output')).toEqual({
      type: 'function_call_output',
      call_id: 'm1',
      output: 'echo: hi there\nsecond part',
    });
    expect(readFileSync(logFile(), 'utf8')).toBe('echo {"text":"hi there"}\n');
    const pid = Number(readFileSync(pidFile(), 'utf8'));
    expect(await waitFor(() => !alive(pid), 15_000)).toBe(true);
  });

  it('returns error results, sanitized names and structured content', async () => {
    const config = writeConfig({ fake: stdioServer() });
    h.fake.push(
      {
        kind: 'sse',
        events: [
          ev.created(),
          ev.callDone('f1', 'mcp__fake__fail', '{}'),
          ev.callDone('f2', 'mcp__fake__odd_name_v2', '{}'),
          ev.callDone('f3', 'mcp__fake__sum', '{"a":2,"b":3}'),
          ev.completed(),
        ],
      },
      { kind: 'sse', events: textAnswer('ok') },
    );
    const r = await runCli(['run', '--json', '-s', 'full-access', '--mcp-config', config, 'go'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(0);
    const results = Object.fromEntries(
      parseEvents(r.stdout)
        .filter((e) => e.type === 'tool.result')
        .map((e) => [e.call_id, [e.status, e.output]]),
    );
    expect(results).toEqual({ f1: ['error', 'something broke'], f2: ['ok', 'odd ok'], f3: ['ok', '{"sum":5}'] });
  });

  it('needs full-access for a server not marked readOnly', async () => {
    const config = writeConfig({ fake: stdioServer() });
    h.fake.push(
      { kind: 'sse', events: toolCall('m1', 'mcp__fake__echo', { text: 'x' }) },
      { kind: 'sse', events: textAnswer('ok') },
    );
    const r = await runCli(['run', '--json', '--mcp-config', config, 'go'], { env: env(), killAfterMs: 50_000 });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout);
    expect(events[0]!.tools).toEqual(['read_file', 'list_dir', 'grep']);
    expect(events.find((e) => e.type === 'tool.result')).toMatchObject({ status: 'denied' });
    expect(existsSync(logFile())).toBe(false);
  });

  it('offers the tools of a readOnly server under read-only', async () => {
    const roConfig = writeConfig({ fake: stdioServer({ readOnly: true }) });
    h.fake.push(
      { kind: 'sse', events: toolCall('m2', 'mcp__fake__echo', { text: 'y' }) },
      { kind: 'sse', events: textAnswer('ok') },
    );
    const ro = await runCli(['run', '--json', '--mcp-config', roConfig, 'go'], { env: env(), killAfterMs: 50_000 });
    expect(ro.code).toBe(0);
    expect(parseEvents(ro.stdout).find((e) => e.type === 'tool.result')).toMatchObject({
      status: 'ok',
      output: 'echo: y\nsecond part',
    });
  });

  it('exits 2 with a clear message when a server crashes at start', async () => {
    const config = writeConfig({ broken: stdioServer({}, ['--crash']) });
    const r = await runCli(['run', '-s', 'full-access', '--mcp-config', config, 'go'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/MCP server "broken" failed to start: .*cannot open database/);
    expect(r.stderr).toMatch(/--mcp-optional/);
    expect(h.fake.requests).toHaveLength(0);
  });

  it('exits 2 when a server command does not exist', async () => {
    const config = writeConfig({ missing: { command: '/nonexistent/mcp-server-binary' } });
    const r = await runCli(['run', '-s', 'full-access', '--mcp-config', config, 'go'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/MCP server "missing" failed to start: .*ENOENT/);
  });

  it('with --mcp-optional, warns about the crashed server and runs with the others', async () => {
    const config = writeConfig({ broken: stdioServer({}, ['--crash']), fake: stdioServer() });
    h.fake.push({ kind: 'sse', events: textAnswer('fine') });
    const r = await runCli(['run', '--json', '-s', 'full-access', '--mcp-config', config, '--mcp-optional', 'go'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/MCP server "broken" failed to start.*continuing without it/);
    expect(parseEvents(r.stdout)[0]!.tools).toContain('mcp__fake__echo');
  });

  it('exits 2 for a bad config file', async () => {
    const f = path.join(h.home, 'bad.json');
    writeFileSync(f, JSON.stringify({ servers: {} }));
    const r = await runCli(['run', '--mcp-config', f, 'go'], { env: env(), killAfterMs: 50_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mcp-config .*bad\.json: no "mcpServers" object/);
    const missing = await runCli(['run', '--mcp-config', path.join(h.home, 'nope.json'), 'go'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
  });

  it('stops the servers on SIGINT', async () => {
    const config = writeConfig({ fake: stdioServer() });
    h.fake.push({ kind: 'stall' });
    const child = spawnCli(['run', '-s', 'full-access', '--mcp-config', config, 'go'], {
      env: env(),
      killAfterMs: 55_000,
    });
    const done = collect(child, Date.now(), 55_000);
    // Generous bounds: starting kolega and the MCP server takes seconds on a loaded machine.
    expect(await waitFor(() => h.fake.requests.length > 0, 40_000)).toBe(true);
    const pid = Number(readFileSync(pidFile(), 'utf8'));
    expect(alive(pid)).toBe(true);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(await waitFor(() => !alive(pid), 15_000)).toBe(true);
  });

  it('ends a tool call that never answers at --tool-timeout and goes on with the turn', async () => {
    const config = writeConfig({ fake: stdioServer({}, ['--hang']) });
    h.fake.push(
      { kind: 'sse', events: toolCall('h1', 'mcp__fake__hang', {}) },
      { kind: 'sse', events: textAnswer('gave up') },
    );
    const r = await runCli(
      ['run', '--json', '-s', 'full-access', '--mcp-config', config, '--tool-timeout', '1', 'hang'],
      { env: env(), killAfterMs: 50_000 },
    );
    expect(r.code).toBe(0);
    const result = parseEvents(r.stdout).find((e) => e.type === 'tool.result')!;
    expect(result).toMatchObject({ name: 'mcp__fake__hang', status: 'error' });
    expect(result.output).toMatch(/did not answer within 1 s \(--tool-timeout\)/);
    expect(h.fake.requests).toHaveLength(2);
  });

  it('skips a tool with an unusable inputSchema with a warning and keeps the server', async () => {
    const config = writeConfig({ fake: stdioServer({}, ['--bad-schemas']) });
    h.fake.push({ kind: 'sse', events: textAnswer('ok') });
    const r = await runCli(['run', '--json', '-s', 'full-access', '--mcp-config', config, 'go'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/MCP server "fake": tool "wrong_type" skipped: its inputSchema has "type": "string"/);
    expect(r.stderr).toMatch(
      /MCP server "fake": tool "bad_json_schema" skipped: its inputSchema is not a valid JSON Schema/,
    );
    const names = (h.fake.requests[0]!.body.tools as { name: string }[]).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['mcp__fake__echo', 'mcp__fake__sum']));
    expect(names.some((n) => n.includes('wrong_type') || n.includes('bad_json_schema'))).toBe(false);
  });

  it('names the key and the expected type for a config value of the wrong type', async () => {
    const cases: [unknown, RegExp][] = [
      [{ command: 5 }, /server "a": "command" must be a string \(got number\)/],
      [{ url: ['http://x'] }, /server "a": "url" must be a string \(got array\)/],
      [{ command: 'x', args: ['ok', 7] }, /server "a": "args"\[1\] must be a string \(got number\)/],
      [{ command: 'x', env: { A: true } }, /server "a" env: "A" must be a string \(got boolean\)/],
    ];
    for (const [server, message] of cases) {
      const config = writeConfig({ a: server });
      const r = await runCli(['run', '--mcp-config', config, 'go'], { env: env(), killAfterMs: 50_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(h.fake.requests).toHaveLength(0);
  });

  it('cuts a long result on a UTF-8 character boundary', async () => {
    const config = writeConfig({ fake: stdioServer({}, ['--big-utf8', String(40_000)]) });
    h.fake.push(
      { kind: 'sse', events: toolCall('u1', 'mcp__fake__echo', { text: 'x' }) },
      { kind: 'sse', events: textAnswer('ok') },
    );
    const r = await runCli(['run', '--json', '-s', 'full-access', '--mcp-config', config, 'go'], {
      env: env(),
      killAfterMs: 50_000,
    });
    expect(r.code).toBe(0);
    const output = (h.fake.requests[1]!.body.input as { type: string; output?: string }[]).find(
      (i) => i.type === 'function_call_output',
    )!.output!;
    expect(output).toMatch(/bytes of output omitted/);
    expect(output).not.toContain('\uFFFD');
  });

  it('connects a streamable HTTP server with its headers', async () => {
    const mcp = await startFakeMcpHttp();
    try {
      const config = writeConfig({
        remote: { url: mcp.url, headers: { Authorization: 'Bearer mcp-secret' }, readOnly: true },
      });
      h.fake.push(
        { kind: 'sse', events: toolCall('h1', 'mcp__remote__whoami', {}) },
        { kind: 'sse', events: textAnswer('ok') },
      );
      const r = await runCli(['run', '--json', '--mcp-config', config, 'who'], { env: env(), killAfterMs: 50_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const input = h.fake.requests[1]!.body.input as { type: string; output?: string }[];
      expect(input.find((i) => i.type === 'function_call_output')!.output).toBe('you are Bearer mcp-secret');
      expect(mcp.authorizations.filter((a) => a !== undefined).every((a) => a === 'Bearer mcp-secret')).toBe(true);
    } finally {
      await mcp.close();
    }
  });
});
