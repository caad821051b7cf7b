/**
 * Failure modes reported against peer clients, replayed through the real binary against the local
 * fakes: Retry-After values that must not shorten the backoff, stream `error` events in both
 * shapes, HTML error pages from a CDN or captive portal, one terminal NDJSON event for every run,
 * and usage errors reported before credentials are looked at.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ev, textAnswer } from '../fakes/sse-events.js';
import { collect, runCli, spawnCli } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { parseEvents } from '../helpers/schema.js';
import { BASE_DELAY_MS } from '../../src/core/responses/retry.js';

const h = useFakeBackend();

/** The smallest backoff of retry `n` (1-based): 200 ms x 2^(n-1) minus the 10 % jitter. */
const floor = (n: number) => Math.floor(BASE_DELAY_MS * 2 ** (n - 1) * 0.9);

describe('Retry-After never shortens the backoff', () => {
  it('zero, negative, past and unreadable Retry-After values: every retry waits at least the backoff floor', async () => {
    const past = new Date(Date.now() - 3_600_000).toUTCString();
    h.fake.push(
      { kind: 'http', status: 503, headers: { 'retry-after': '0' }, body: '{"detail":"busy"}' },
      { kind: 'http', status: 502, headers: { 'retry-after': '-30' }, body: '{"detail":"busy"}' },
      { kind: 'http', status: 500, headers: { 'retry-after': past }, body: '{"detail":"busy"}' },
      {
        kind: 'http',
        status: 429,
        headers: { 'retry-after-ms': '0', 'retry-after': 'soon' },
        body: '{"error":{"code":"rate_limit_exceeded","message":"slow"}}',
      },
      { kind: 'sse', events: textAnswer('finally') },
    );
    const r = await runCli(['run', '--json', '--no-stdin', 'hi'], { env: h.env() });
    expect(r.code).toBe(0);
    const retries = parseEvents(r.stdout).filter((e) => e.type === 'retry');
    expect(retries.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    retries.forEach((e, i) => expect(e.delay_ms as number).toBeGreaterThanOrEqual(floor(i + 1)));
    expect(h.fake.requests).toHaveLength(5);
  });

  it('"try again in 0s" in a response.failed rate limit also keeps the floor', async () => {
    h.fake.push(
      { kind: 'sse', events: [ev.created(), ev.failed('rate_limit_exceeded', 'Please try again in 0s.')] },
      { kind: 'sse', events: textAnswer('ok') },
    );
    const r = await runCli(['run', '--json', '--no-stdin', 'hi'], { env: h.env() });
    expect(r.code).toBe(0);
    const retry = parseEvents(r.stdout).find((e) => e.type === 'retry')!;
    expect(retry.delay_ms as number).toBeGreaterThanOrEqual(floor(1));
  });
});

describe('stream error events, top-level and nested shapes', () => {
  const topLevel = (code: string, message: string) => ({ type: 'error', code, message, param: null });
  const nested = (code: string, message: string) => ({
    type: 'error',
    error: { code, message, type: 'invalid_request_error' },
  });

  for (const [shape, make] of [
    ['top-level', topLevel],
    ['nested', nested],
  ] as const) {
    it.each([
      ['context_length_exceeded', 5],
      ['insufficient_quota', 4],
      ['invalid_prompt', 5],
    ])(`${shape}: permanent code %s is never retried and is named with the server text`, async (code, exit) => {
      h.fake.push({ kind: 'sse', events: [ev.created(), make(code, `(fixture) server text for ${code}`)] });
      const r = await runCli(['run', '--json', '--no-stdin', 'hi'], { env: h.env() });
      expect(r.code).toBe(exit);
      expect(h.fake.requests).toHaveLength(1);
      const events = parseEvents(r.stdout);
      expect(events.some((e) => e.type === 'retry')).toBe(false);
      const failed = events.at(-1)!;
      expect(failed.type).toBe('turn.failed');
      expect(failed.error).toMatchObject({ code });
      expect(r.stderr).toContain(code);
      expect(r.stderr).toContain(`(fixture) server text for ${code}`);
    });

    it.each(['server_is_overloaded', 'slow_down'])(
      `${shape}: %s is named in the final message when the retries run out`,
      async (code) => {
        for (let i = 0; i < 6; i++)
          h.fake.push({ kind: 'sse', events: [ev.created(), make(code, '(fixture) model busy')] });
        const r = await runCli(['run', '--no-stdin', 'hi'], { env: h.env(), killAfterMs: 60_000 });
        expect(r.code).toBe(5);
        expect(h.fake.requests).toHaveLength(5); // the first request and 4 retries, then it stops
        const last = r.stderr.trim().split('\n').at(-1)!;
        expect(last).toContain(code);
        expect(last).toContain('(fixture) model busy');
      },
    );
  }

  it('an unknown code in the nested shape is named (not "stream_error") and retried', async () => {
    h.fake.push(
      { kind: 'sse', events: [ev.created(), nested('server_error', '(fixture) oops')] },
      { kind: 'sse', events: textAnswer('recovered') },
    );
    const r = await runCli(['run', '--no-stdin', 'hi'], { env: h.env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('recovered\n');
    expect(r.stderr).toContain('server_error');
    expect(r.stderr).toContain('(fixture) oops');
  });
});

const CLOUDFLARE_PAGE =
  '<!DOCTYPE html>\n<html lang="en-US"><head><title>Attention Required! | Cloudflare</title></head>\n' +
  '<body><div id="cf-wrapper"><h1>Sorry, you have been blocked</h1><p>You are unable to access chatgpt.com</p>' +
  '<script>window._cf_chl_opt={cvId:"3"}</script></div></body></html>\n';
const PORTAL_PAGE =
  '<html><head><title>Hotel WiFi - Log in</title></head><body><form action="/login">Room number</form></body></html>';

describe('HTML error pages are never shown', () => {
  it('a 403 Cloudflare block page: one line naming Cloudflare, the status and the cf-ray; exit 5, not "sign in again"', async () => {
    h.fake.push({
      kind: 'http',
      status: 403,
      headers: { 'content-type': 'text/html; charset=UTF-8', 'cf-ray': '8f1e2d3c4b5a6978-FRA', server: 'cloudflare' },
      body: CLOUDFLARE_PAGE,
    });
    const r = await runCli(['run', '--no-stdin', 'hi'], { env: h.env() });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Cloudflare');
    expect(lines[0]).toContain('403');
    expect(lines[0]).toContain('cf-ray 8f1e2d3c4b5a6978-FRA');
    expect(r.stderr).not.toMatch(/<|_cf_chl_opt|Sorry, you have been blocked/);
    expect(r.stderr).not.toMatch(/sign in again|auth login/);
    expect(h.fake.requests).toHaveLength(1);
  });

  it('a 503 captive-portal page without a content type is retried, then reported with its request id', async () => {
    for (let i = 0; i < 5; i++)
      h.fake.push({
        kind: 'http',
        status: 503,
        headers: { 'content-type': '', 'x-request-id': 'req_portal_1' },
        body: PORTAL_PAGE,
      });
    const r = await runCli(['run', '--json', '--no-stdin', 'hi'], { env: h.env() });
    expect(r.code).toBe(5);
    const events = parseEvents(r.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'html_error_page', http_status: 503 } });
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toContain('503');
    expect(last).toContain('request id req_portal_1');
    expect(r.stderr).not.toMatch(/<form|Room number/);
    expect(h.fake.requests).toHaveLength(5);
  });

  it('a 401 HTML page is not an authentication failure; a JSON 401 from the backend still is', async () => {
    h.fake.push({ kind: 'http', status: 401, headers: { 'content-type': 'text/html' }, body: PORTAL_PAGE });
    const html = await runCli(['run', '--json', '--no-stdin', 'hi'], { env: h.env() });
    expect(html.code).toBe(5);
    expect(parseEvents(html.stdout).at(-1)).toMatchObject({
      type: 'turn.failed',
      error: { code: 'html_error_page', http_status: 401 },
    });
    expect(html.stderr).not.toMatch(/<html|Room number/);
    h.fake.push({
      kind: 'http',
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } }),
    });
    const json = await runCli(['run', '--no-stdin', 'hi'], { env: h.env() });
    expect(json.code).toBe(3);
  });
});

describe('one terminal event: every run --json that gets past flag parsing ends with turn.completed or turn.failed', () => {
  /** Asserts stdout is schema-valid NDJSON with exactly one terminal event, the last line. */
  function terminal(stdout: string): Record<string, unknown> {
    const events = parseEvents(stdout);
    const terminals = events.filter((e) => e.type === 'turn.completed' || e.type === 'turn.failed');
    expect(terminals).toHaveLength(1);
    expect(events.at(-1)).toBe(terminals[0]);
    return terminals[0]!;
  }

  it.each([
    ['not signed in', ['--no-stdin', 'hi'], {}, 3, 'not_signed_in'],
    ['unknown model', ['--no-stdin', '-m', 'no-such-model', 'hi'], undefined, 2, 'unknown_model'],
    ['unreadable image', ['--no-stdin', '--image', '/nonexistent/cat.png', 'hi'], undefined, 2, 'file_missing'],
    ['empty prompt', ['-'], undefined, 2, 'empty_prompt'],
    ['bad effort', ['--no-stdin', '-e', 'hyper', 'hi'], undefined, 2, 'bad_effort'],
    ['missing workspace', ['--no-stdin', '-C', '/nonexistent/ws', 'hi'], undefined, 2, 'bad_workspace'],
    [
      '-o in a missing directory',
      ['--no-stdin', '-o', '/nonexistent/dir/out.txt', 'hi'],
      undefined,
      2,
      'output_file_unwritable',
    ],
  ] as const)('%s: one turn.failed line, no request', async (_name, args, envOverride, exit, code) => {
    const env = envOverride === undefined ? h.env() : { KOLEGA_HOME: h.home };
    const r = await runCli(['run', '--json', ...args], { env });
    expect(r.code).toBe(exit);
    expect(terminal(r.stdout)).toMatchObject({ type: 'turn.failed', error: { code } });
    expect(h.fake.requests).toHaveLength(0);
  });

  it.each([
    ['unknown session (--resume)', ['--resume', '0123456789abcdef', 'hi'], 2, 'session_not_found'],
    ['--continue with no session', ['--continue', 'hi'], 2, 'no_session'],
    ['unknown model (-m nope)', ['-m', 'nope', 'hi'], 2, 'unknown_model'],
  ] as const)('12.12 %s: one turn.failed line, no request', async (_name, args, exit, code) => {
    const r = await runCli(['run', '--json', '--no-stdin', '-C', h.home, ...args], { env: h.env() });
    expect(r.code).toBe(exit);
    expect(terminal(r.stdout)).toMatchObject({ type: 'turn.failed', error: { code } });
    expect(h.fake.requests).toHaveLength(0);
  });

  it('12.12 SIGINT while waiting for a session another run holds: exit 130, one turn.failed (interrupted)', async () => {
    h.fake.push({ kind: 'sse', events: textAnswer('first') });
    const first = await runCli(['run', '--json', '--no-stdin', 'hi'], { env: h.env() });
    expect(first.code).toBe(0);
    const id = parseEvents(first.stdout).find((e) => e.type === 'turn.started')!.session_id as string;
    h.fake.push({ kind: 'stall' });
    const holder = spawnCli(['run', '--json', '--no-stdin', '--resume', id, 'slow'], { env: h.env() });
    const held = collect(holder);
    // the holder's request reached the fake: it holds the session lock by then
    for (let i = 0; i < 400 && h.fake.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(h.fake.requests).toHaveLength(2);
    const waiter = spawnCli(['run', '--json', '--no-stdin', '--resume', id, 'fast'], {
      env: { ...h.env(), KOLEGA_DEBUG: '1' },
    });
    const waited = collect(waiter);
    // the waiter is about to wait for the lock (its signal handlers are in place) when interrupted
    let err = '';
    waiter.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    for (let i = 0; i < 400 && !err.includes('opening the session'); i++) await new Promise((r) => setTimeout(r, 50));
    waiter.kill('SIGINT');
    const w = await waited;
    expect(w.code).toBe(130);
    expect(terminal(w.stdout)).toMatchObject({ type: 'turn.failed', error: { code: 'interrupted' } });
    expect(h.fake.requests).toHaveLength(2);
    holder.kill('SIGINT');
    expect((await held).code).toBe(130);
  }, 60_000);

  it('a missing --mcp-config file: one turn.failed line', async () => {
    const r = await runCli(['run', '--json', '--no-stdin', '--mcp-config', '/nonexistent/mcp.json', 'hi'], {
      env: h.env(),
    });
    expect(r.code).toBe(2);
    expect(terminal(r.stdout)).toMatchObject({ type: 'turn.failed' });
  });

  it('a success and a server failure also end with exactly one terminal line', async () => {
    h.fake.push(
      { kind: 'sse', events: textAnswer('fine') },
      { kind: 'http', status: 400, body: '{"error":{"message":"bad"}}' },
    );
    const ok = await runCli(['run', '--json', '--no-stdin', 'hi'], { env: h.env() });
    expect(ok.code).toBe(0);
    expect(terminal(ok.stdout)).toMatchObject({ type: 'turn.completed' });
    const bad = await runCli(['run', '--json', '--no-stdin', 'hi'], { env: h.env() });
    expect(bad.code).toBe(5);
    expect(terminal(bad.stdout)).toMatchObject({ type: 'turn.failed', error: { code: 'http_400' } });
  });
});

describe('usage before credentials: input problems exit 2 even when nothing is signed in', () => {
  const noCredentials = () => ({ KOLEGA_HOME: h.home });

  it.each([
    ['an empty prompt argument', ['run', '--no-stdin', '']],
    ['an empty prompt on stdin', ['run', '-']],
    ['a blank prompt', ['run', '--no-stdin', '   ']],
    ['an unknown --effort', ['run', '--no-stdin', '-e', 'hyper', 'hi']],
    ['an --effort the model does not offer', ['run', '--no-stdin', '-m', 'gpt-5.5', '-e', 'ultra', 'hi']],
  ])('%s -> exit 2, not "not signed in"', async (_name, args) => {
    const r = await runCli(args, { env: noCredentials() });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('not signed in');
  });

  it('a bad --output-schema file (not JSON, not a schema) -> exit 2 without credentials', async () => {
    const notJson = path.join(h.home, 'bad.json');
    writeFileSync(notJson, '{ not json');
    const notSchema = path.join(h.home, 'num.json');
    writeFileSync(notSchema, '42');
    for (const file of [notJson, notSchema, path.join(h.home, 'missing.json')]) {
      const r = await runCli(['run', '--no-stdin', '--output-schema', file, 'hi'], { env: noCredentials() });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(file);
      expect(r.stderr).not.toContain('not signed in');
    }
  });

  it('valid input without credentials is still exit 3', async () => {
    const r = await runCli(['run', 'hi'], { env: noCredentials(), stdin: 'more context' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('not signed in');
  });
});

describe('stdin encodings', () => {
  /** The prompt the first request carried: the last input item (a new session leads with context). */
  const userText = () => {
    const input = h.fake.requests[0]!.body.input as { content: { type: string; text?: string }[] }[];
    return input.at(-1)!.content.find((c) => c.type === 'input_text')!.text;
  };

  it('UTF-16LE with a BOM (PowerShell pipe) is decoded: the model gets the text, no warning', async () => {
    h.fake.push({ kind: 'sse', events: textAnswer('ok') });
    const text = 'Résumé: 東京 🦊\r\nsecond line';
    const r = await runCli(['run', '-'], {
      env: h.env(),
      stdin: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    });
    expect(r.code).toBe(0);
    expect(userText()).toBe(text);
    expect(r.stderr).toBe('');
  });

  it('UTF-16BE with a BOM appended to a prompt argument', async () => {
    h.fake.push({ kind: 'sse', events: textAnswer('ok') });
    const le = Buffer.from('naïve', 'utf16le');
    for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
    const r = await runCli(['run', 'summarise'], {
      env: h.env(),
      stdin: Buffer.concat([Buffer.from([0xfe, 0xff]), le]),
    });
    expect(r.code).toBe(0);
    expect(userText()).toBe('summarise\n\nnaïve');
  });

  it('invalid UTF-8: the warning gives the byte offset of the first bad byte', async () => {
    h.fake.push({ kind: 'sse', events: textAnswer('ok') });
    const r = await runCli(['run', '-'], {
      env: h.env(),
      stdin: Buffer.concat([Buffer.from('ok so far: '), Buffer.from([0xc3, 0x28]), Buffer.from(' then more')]),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('byte offset 11');
    expect(userText()).toBe('ok so far: \ufffd( then more');
  });
});
