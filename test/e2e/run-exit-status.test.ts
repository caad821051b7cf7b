/**
 * One end-to-end test per documented exit status of `kolega run` (docs/design.md / README "Exit status"):
 * 0, 2, 3, 4, 5, 6, 130 and 141.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { BIN, baseEnv, collect, runCli, spawnCli } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { ev, textAnswer } from '../fakes/sse-events.js';
import { httpError, usageLimitStep } from '../fakes/faults.js';

const t = useFakeBackend();

/** A port nothing listens on (bound, read, closed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Many deltas, one every `delayMs`, for streams that must still be running when the test acts. */
function slowStream(n: number, text = 'tick '): string {
  return [ev.created(), ...Array.from({ length: n }, () => ev.textDelta(text))]
    .map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)
    .join('');
}

describe('exit status', () => {
  it('0: success', async () => {
    t.fake.push({ kind: 'sse', events: textAnswer('fine') });
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'fine\n', '']);
  });

  it('2: empty prompt (kolega run - with empty stdin) makes no request; unknown model too', async () => {
    const empty = await runCli(['run', '-'], { env: t.env(), stdin: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('prompt is empty');
    const model = await runCli(['run', '-m', 'gpt-0-nope', 'hi'], { env: t.env() });
    expect(model.code).toBe(2);
    const flag = await runCli(['run', '--idle-timeout', 'soon', 'hi'], { env: t.env() });
    expect(flag.code).toBe(2);
    expect(t.fake.requests).toHaveLength(0);
  });

  it('3: the API key is rejected (401), not retried; no credentials at all is 3 too', async () => {
    const r = await runCli(['run', 'hi'], { env: t.env({ OPENAI_API_KEY: 'wrong-key' }) });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('401');
    expect(t.fake.requests).toHaveLength(1);
    const none = await runCli(['run', 'hi'], { env: t.env({ OPENAI_API_KEY: undefined }) });
    expect(none.code).toBe(3);
  });

  it('4: usage limit reached', async () => {
    t.fake.push(usageLimitStep({ resetsInSeconds: 3600 }));
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/usage limit reached \(plus plan\); resets at \S+, in 1h 0m/);
  });

  it('5: the server refuses the request (400), one request', async () => {
    t.fake.push(httpError(400, { detail: 'Instructions are required' }));
    const r = await runCli(['run', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('Instructions are required');
    expect(t.fake.requests).toHaveLength(1);
  });

  it('6: connection refused, after the documented retries (one retry event and one stderr line each)', async () => {
    const port = await closedPort();
    const r = await runCli(['run', '--json', 'hi'], { env: t.env({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` }) });
    expect(r.code).toBe(6);
    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'retry').map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.includes('retrying'))).toHaveLength(4);
    expect(lines.at(-1)).toContain('ECONNREFUSED');
    expect(events.at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'connect_failed' } });
  });

  it('130: SIGINT mid-stream', async () => {
    t.fake.push({ kind: 'sse', events: slowStream(300), chunkBytes: 200, delayMs: 100 });
    const child = spawnCli(['run', 'count'], { env: t.env() });
    child.stdout!.once('data', () => child.kill('SIGINT'));
    const r = await collect(child);
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/^(tick )+\n$/);
    expect(r.stderr).toBe('kolega: interrupted\n');
  });

  it('141: stdout closed by its reader (| head -n 1), quietly', async () => {
    t.fake.push({ kind: 'sse', events: slowStream(3000, 'line\n'), chunkBytes: 4000, delayMs: 5 });
    const child = spawn(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${BIN}" run count 2>"$ERRFILE" | head -n 1; echo "status=\${PIPESTATUS[0]}"; cat "$ERRFILE"`,
      ],
      {
        env: { ...baseEnv(t.env()), ERRFILE: `${t.home}/err.txt` } as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const r = await collect(child);
    expect(r.stdout).toBe('line\nstatus=141\n');
  });
});
