/**
 * network-timeout cases (cases B25 a-d) and keep-alive liveness (B24 variant): the idle
 * timeout covers the wait for headers and the stream, keep-alives reset it, `--timeout` bounds the
 * whole run; all exit 6 saying which phase stalled. Short timeouts keep the suite fast; the bounds
 * are generous (idle + 1 s plus process start-up on a busy machine).
 */
import { describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli } from '../helpers/cli.js';
import { waitForIdle } from '../helpers/proc.js';
import { parseEvents } from '../helpers/schema.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { ev, textAnswer, toSse } from '../fakes/sse-events.js';
import { startHalfOpenProxy } from '../fakes/faults.js';

const t = useFakeBackend();
const IDLE = 2;
/** Start-up of the CLI on a loaded two-core machine (only for bounds measured from the spawn). */
const STARTUP_SLACK_MS = 6000;

/** Runs the CLI; @returns its result plus `afterRequestMs`: from the fake receiving the request to the exit. */
async function timed(args: string[], env: Record<string, string | undefined>) {
  const t0 = Date.now();
  const r = await runCli(args, { env });
  const received = t.fake.requests[0]?.receivedAt ?? t0;
  return { ...r, afterRequestMs: t0 + r.ms - received };
}
/** The bound of B25 (a)-(c): idle timeout + 1 s, plus 1 s for a loaded machine. */
const IDLE_BOUND_MS = (IDLE + 2) * 1000;

describe('B25 stalled stream or dead socket', () => {
  it('B25 (a) server accepts and never sends headers: exit 6, "waiting for response headers", not retried', async () => {
    t.fake.push({ kind: 'stall' });
    const r = await timed(['run', '--idle-timeout', String(IDLE), 'hi'], t.env());
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('waiting for response headers');
    expect(r.stderr).toContain(`no data for ${IDLE} s`);
    expect(r.afterRequestMs).toBeLessThan(IDLE_BOUND_MS);
    expect(t.fake.requests).toHaveLength(1);
    expect(t.fake.clientAborts).toBe(1); // the socket was closed by kolega
  });

  it('B25 headers that come late but within the idle timeout are fine', async () => {
    t.fake.push({ kind: 'sse', events: textAnswer('slow but fine'), headersDelayMs: 1200 });
    const r = await runCli(['run', '--idle-timeout', String(IDLE), 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('slow but fine\n');
  });

  it('B25 (b) headers and one delta, then silence with the socket open: exit 6 "mid-stream", partial text kept', async () => {
    t.fake.push({ kind: 'sse', events: [ev.created(), ev.textDelta('half')], stallAfter: true });
    const r = await timed(['run', '--json', '--idle-timeout', String(IDLE), 'hi'], t.env());
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('mid-stream');
    expect(r.afterRequestMs).toBeLessThan(IDLE_BOUND_MS);
    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'text.delta').map((e) => e.delta)).toEqual(['half']);
    expect(events.at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'idle_timeout' } });
    expect(t.fake.requests).toHaveLength(1);
  });

  it('B25 (c) server closes after headers but the client side stays half-open: exit 6 within the idle timeout', async () => {
    const proxy = await startHalfOpenProxy(t.fake.url);
    try {
      t.fake.push({ kind: 'sse', events: [ev.created()], resetAfter: true });
      const r = await timed(
        ['run', '--idle-timeout', String(IDLE), 'hi'],
        t.env({ OPENAI_BASE_URL: `${proxy.url}/v1` }),
      );
      expect(proxy.serverClosed).toBeGreaterThanOrEqual(1);
      expect(r.code).toBe(6);
      expect(r.stderr).toContain('mid-stream');
      expect(r.afterRequestMs).toBeLessThan(IDLE_BOUND_MS);
      expect(proxy.clientClosed).toBeGreaterThanOrEqual(1); // kolega closed its socket
    } finally {
      await proxy.close();
    }
  });

  it('B25 (d) keep-alives forever: they reset the idle timer; --timeout ends the run with exit 6', async () => {
    t.fake.push({ kind: 'sse', events: [ev.created()], keepAliveMs: 400 });
    const r = await timed(['run', '--json', '--idle-timeout', String(IDLE), '--timeout', '6', 'hi'], t.env());
    expect(r.code).toBe(6);
    expect(r.ms).toBeGreaterThanOrEqual(6000);
    expect(r.afterRequestMs).toBeGreaterThan(IDLE * 1000 + 500); // the idle timer (2 s) never fired
    expect(r.ms).toBeLessThan(7000 + STARTUP_SLACK_MS);
    expect(r.stderr).toContain('--timeout 6s (while streaming the response)');
    expect(parseEvents(r.stdout).at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'timeout' } });
  });

  it('B25 --timeout bounds the wait for headers even with a long idle timeout', async () => {
    t.fake.push({ kind: 'stall' });
    const r = await runCli(['run', '--timeout', '3', '--idle-timeout', '30', 'hi'], { env: t.env() });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('(while waiting for response headers)');
    expect(r.ms).toBeLessThan(4000 + STARTUP_SLACK_MS);
  });
});

describe('--timeout covers waiting for stdin', () => {
  it('--stdin on a pipe that never writes: --timeout ends it with exit 6 naming the phase', async () => {
    const r = await collect(
      spawnCli(['run', '--stdin', '--timeout', '1', 'hi'], { env: t.env(), stdin: 'silent-pipe' }),
    );
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('(while reading stdin)');
    expect(t.fake.requests).toHaveLength(0);
  });

  it('--stdin on a pipe that never writes: SIGINT ends it with 130', async () => {
    const child = spawnCli(['run', '--stdin', 'hi'], { env: t.env(), stdin: 'silent-pipe' });
    const done = collect(child);
    expect(await waitForIdle(child.pid!)).toBe(true); // started, and blocked waiting for stdin
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
  });
});

describe('B24 keep-alives count as liveness', () => {
  it('B24 a slow first token behind keep-alive comments: ok, exit 0, no warnings', async () => {
    const keepalives = ': keepalive\n\n'.repeat(8);
    const body = keepalives + toSse(textAnswer('ok').slice(0, -1)) + toSse([ev.completed()]) + 'data: [DONE]\n\n';
    const offsets: number[] = [];
    for (let i = 1; i <= 8; i++) offsets.push(': keepalive\n\n'.length * i);
    // 8 keep-alives 400 ms apart: 3.2 s of no event with an idle timeout of 2 s.
    t.fake.push({ kind: 'sse', events: body, splitAt: offsets, delayMs: 400 });
    const r = await runCli(['run', '--idle-timeout', String(IDLE), 'hi'], { env: t.env() });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok\n');
    expect(r.code).toBe(0);
  });

  it('B24 the peer-failures body end to end (comments, retry:, ping with empty data, id:, [DONE])', async () => {
    const body =
      ': keepalive\n\n:\n\nretry: 3000\n\nevent: ping\ndata: \n\n' +
      'id: 7\ndata: {"type":"response.output_text.delta","delta":"ok"}\n\n' +
      ': ping 2026-01-01T00:00:00\n\n' +
      'event: response.completed\ndata: {"type":"response.completed","response":{"id":"r","status":"completed","output":[]}}\n\n' +
      'data: [DONE]\n\n';
    t.fake.push({ kind: 'sse', events: body }, { kind: 'sse', events: body.replace(/\n/g, '\r\n'), chunkBytes: 3 });
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['run', 'hi'], { env: t.env() });
      expect([r.code, r.stdout, r.stderr]).toEqual([0, 'ok\n', '']);
    }
  });
});
