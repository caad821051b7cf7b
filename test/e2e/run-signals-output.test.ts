/**
 * signals (case B38) and output-hygiene (cases B28, B30): interrupts flush and exit 130, plus large piped outputs
 * and ANSI-free output off a TTY.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, baseEnv, collect, runCli, spawnCli, type CliResult } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { ev, textAnswer, toolCall, toSse } from '../fakes/sse-events.js';
import type { FakeBackend } from '../fakes/backend.js';

const t = useFakeBackend();

/** created + `n` deltas (no terminal event): a stream still running when the test acts. */
function ticking(n: number, text = 'tick '): string {
  return toSse([ev.created(), ...Array.from({ length: n }, () => ev.textDelta(text))]);
}

/** Waits until the fake saw the client close its request, or `ms` passes. @returns the wait in ms, or -1. */
async function waitForClientClose(fake: FakeBackend, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    const closed = fake.requests.find((r) => r.clientClosedAt !== undefined);
    if (closed) return closed.clientClosedAt!;
    await new Promise((r) => setTimeout(r, 20));
  }
  return -1;
}

/** Spawns `kolega run`, sends `signals` (with gaps) after the first stdout bytes; @returns result and signal time. */
async function interrupt(
  args: string[],
  signals: NodeJS.Signals[],
  gapMs = 100,
): Promise<{ r: CliResult; sentAt: number }> {
  const child = spawnCli(args, { env: t.env() });
  let sentAt = 0;
  let seen = '';
  const onData = async (d: Buffer) => {
    seen += d.toString();
    if (!seen.includes('tick')) return;
    child.stdout!.off('data', onData);
    await new Promise((r) => setTimeout(r, 150));
    sentAt = Date.now();
    for (const [i, s] of signals.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
      child.kill(s);
    }
  };
  child.stdout!.on('data', onData);
  const r = await collect(child);
  return { r, sentAt };
}

describe('B38 signals during a run', () => {
  it('B38 (a) SIGINT mid-stream: request aborted quickly, partial text + newline, exit 130, no stack', async () => {
    t.fake.push({ kind: 'sse', events: ticking(300), chunkBytes: 150, delayMs: 200 });
    const { r, sentAt } = await interrupt(['run', 'count'], ['SIGINT']);
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/^(tick )+\n$/);
    expect(r.stderr).toBe('kolega: interrupted\n');
    const closedAt = await waitForClientClose(t.fake, 2000);
    expect(closedAt).toBeGreaterThan(0);
    // Generous bound on two busy cores; the abort itself is immediate.
    expect(closedAt - sentAt).toBeLessThan(2000);
  });

  it('B38 (a) in --json: the last line is a complete turn.failed {code: "interrupted"}', async () => {
    t.fake.push({ kind: 'sse', events: ticking(300), chunkBytes: 150, delayMs: 200 });
    const { r } = await interrupt(['run', '--json', 'count'], ['SIGINT']);
    expect(r.code).toBe(130);
    const events = parseEvents(r.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'interrupted' } });
    expect(events.some((e) => e.type === 'text.delta')).toBe(true);
  });

  it('B38 (c) SIGTERM mid-stream: same, exit 130', async () => {
    t.fake.push({ kind: 'sse', events: ticking(300), chunkBytes: 150, delayMs: 200 });
    const { r } = await interrupt(['run', '--json', 'count'], ['SIGTERM']);
    expect(r.code).toBe(130);
    expect(parseEvents(r.stdout).at(-1)).toMatchObject({
      type: 'turn.failed',
      error: { code: 'interrupted', message: expect.stringContaining('SIGTERM') },
    });
    expect(await waitForClientClose(t.fake, 2000)).toBeGreaterThan(0);
  });

  it('B38 (d) two SIGINTs 100 ms apart: exits at once with 130', async () => {
    t.fake.push({ kind: 'sse', events: ticking(300), chunkBytes: 150, delayMs: 200 });
    const { r, sentAt } = await interrupt(['run', 'count'], ['SIGINT', 'SIGINT']);
    expect(r.code).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(5000);
    expect(r.stderr).not.toMatch(/at .*\.js/); // no stack trace
  });

  it('B38 SIGINT while waiting for response headers is also 130', async () => {
    t.fake.push({ kind: 'stall' });
    const child = spawnCli(['run', 'hi'], { env: t.env() });
    const done = collect(child);
    const start = Date.now();
    while (t.fake.requests.length === 0 && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
  });
});

describe('B30 broken pipe when output goes to head', () => {
  function shell(cmd: string, extra: Record<string, string> = {}) {
    const child = spawn('bash', ['-c', cmd], {
      env: {
        ...baseEnv(t.env()),
        KOLEGA: `"${process.execPath}" "${BIN}"`,
        ERRFILE: `${t.home}/err.txt`,
        ...extra,
      } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return collect(child);
  }
  const many = () => ({ kind: 'sse' as const, events: ticking(2000, 'line\n'), chunkBytes: 2000, delayMs: 10 });

  it('B30 | head -n 1: nothing on stderr, exit 141, the request is aborted (server sees the close)', async () => {
    t.fake.push(many());
    const r = await shell(
      'eval "$KOLEGA run count" 2>"$ERRFILE" | head -n 1; echo "status=${PIPESTATUS[0]}"; cat "$ERRFILE"',
    );
    expect(r.stdout).toBe('line\nstatus=141\n');
    expect(await waitForClientClose(t.fake, 2000)).toBeGreaterThan(0);
  });

  it('B30 --json | head -c 10: same', async () => {
    t.fake.push(many());
    const r = await shell(
      'eval "$KOLEGA run --json count" 2>"$ERRFILE" | head -c 10 >/dev/null; echo "status=${PIPESTATUS[0]}"; cat "$ERRFILE"',
    );
    expect(r.stdout).toBe('status=141\n');
  });

  it('B30 with stderr closed too (2>&-): still quiet and 141', async () => {
    t.fake.push(many());
    const r = await shell('eval "$KOLEGA run count" 2>&- | head -n 1; echo "status=${PIPESTATUS[0]}"');
    expect(r.stdout).toBe('line\nstatus=141\n');
    expect(r.stderr).toBe('');
  });

  it('B30 control: a backend reset mid-stream with stdout intact is still reported (exit 6)', async () => {
    t.fake.push({ kind: 'sse', events: ticking(5, 'line\n'), resetAfter: true });
    const r = await runCli(['run', 'count'], { env: t.env() });
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('line\n'.repeat(5));
    expect(r.stderr).toContain('broke mid-stream');
    expect(t.fake.requests).toHaveLength(1); // output was shown: never replayed
  });
});

describe('B28 only results on stdout', () => {
  it('B28 --json: every stdout line is schema-valid JSON across retries, tool calls, denials and notices', async () => {
    t.fake.push(
      { kind: 'http', status: 500, body: '{"detail":"flaky"}' },
      { kind: 'sse', events: toolCall('c1', 'write_file', { path: 'x', content: 'y' }) },
      { kind: 'sse', events: toolCall('c2', 'read_file', { path: 'package.json' }) },
      { kind: 'sse', events: textAnswer('all done') },
    );
    const r = await runCli(['run', '--json', '--verbose', '--max-output-tokens', '64', 'hi'], {
      env: t.env({ NODE_OPTIONS: '--trace-deprecation --trace-warnings' }),
      stdin: 'extra context',
    });
    expect(r.code).toBe(0);
    const events = parseEvents(r.stdout); // throws on any non-JSON line
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['retry', 'tool.call', 'tool.result', 'turn.completed']),
    );
    // write_file is never offered under read-only: the call is refused (denied, or unknown when not built in).
    expect(events.find((e) => e.type === 'tool.result' && e.call_id === 'c1')).toMatchObject({
      status: expect.stringMatching(/^(denied|error)$/),
    });
    expect(r.stderr).toContain('retrying');
  });

  it('B28 text mode: stdout holds only the answer and a final newline', async () => {
    t.fake.push(
      { kind: 'http', status: 502, body: '' },
      { kind: 'sse', events: toolCall('c1', 'list_dir', { path: '.' }) },
      { kind: 'sse', events: textAnswer('answer') },
    );
    const r = await runCli(['run', '--verbose', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('answer\n');
    expect(r.stderr).toContain('list_dir');
  });

  it('B28 --quiet silences notices but not the answer', async () => {
    t.fake.push({ kind: 'http', status: 503, body: '' }, { kind: 'sse', events: textAnswer('answer') });
    const r = await runCli(['--quiet', 'run', 'hi'], { env: t.env() });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'answer\n', '']);
  });
});

describe('large outputs and colour', () => {
  it('more than 1 MiB of text is fully flushed when piped (text and --json)', async () => {
    const chunk = 'x'.repeat(8191) + '\n';
    const n = 160; // 1.25 MiB
    const events = [ev.created(), ...Array.from({ length: n }, () => ev.textDelta(chunk)), ev.completed()];
    t.fake.push({ kind: 'sse', events }, { kind: 'sse', events });
    const text = await runCli(['run', 'big'], { env: t.env() });
    expect(text.code).toBe(0);
    expect(text.stdout.length).toBe(chunk.length * n);
    expect(text.stdout).toBe(chunk.repeat(n));
    const json = await runCli(['run', '--json', 'big'], { env: t.env() });
    const parsed = parseEvents(json.stdout);
    expect(parsed.at(-1)).toMatchObject({ type: 'turn.completed' });
    expect((parsed.at(-1)!.final_text as string).length).toBe(chunk.length * n);
  });

  it('no ANSI escapes off a TTY, with and without NO_COLOR, even with --verbose', async () => {
    for (const NO_COLOR of ['', '1']) {
      t.fake.push(
        { kind: 'http', status: 500, body: '' },
        { kind: 'sse', events: [ev.created(), ev.reasoningDelta('thinking'), ...textAnswer('plain').slice(1)] },
      );
      const r = await runCli(['run', '--verbose', 'hi'], { env: t.env({ NO_COLOR }) });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('thinking');
      expect(r.stdout + r.stderr).not.toContain('\u001b');
    }
  });
});
