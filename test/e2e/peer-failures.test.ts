/**
 * Failure modes reported against peer clients, replayed through the real binary against the local
 * fakes: Retry-After values that must not shorten the backoff, stream `error` events in both
 * shapes, HTML error pages from a CDN or captive portal, one terminal NDJSON event for every run,
 * and usage errors reported before credentials are looked at.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ev, textAnswer, toSse } from '../fakes/sse-events.js';
import { runCli } from '../helpers/cli.js';
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
      { kind: 'http', status: 429, headers: { 'retry-after-ms': '0', 'retry-after': 'soon' }, body: '{"error":{"code":"rate_limit_exceeded","message":"slow"}}' },
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
  const nested = (code: string, message: string) => ({ type: 'error', error: { code, message, type: 'invalid_request_error' } });

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

    it.each(['server_is_overloaded', 'slow_down'])(`${shape}: %s is named in the final message when the retries run out`, async (code) => {
      for (let i = 0; i < 6; i++) h.fake.push({ kind: 'sse', events: [ev.created(), make(code, '(fixture) model busy')] });
      const r = await runCli(['run', '--no-stdin', 'hi'], { env: h.env(), killAfterMs: 60_000 });
      expect(r.code).toBe(5);
      expect(h.fake.requests).toHaveLength(5); // the first request and 4 retries, then it stops
      const last = r.stderr.trim().split('\n').at(-1)!;
      expect(last).toContain(code);
      expect(last).toContain('(fixture) model busy');
    });
  }

  it('an unknown code in the nested shape is named (not "stream_error") and retried', async () => {
    h.fake.push({ kind: 'sse', events: [ev.created(), nested('server_error', '(fixture) oops')] }, { kind: 'sse', events: textAnswer('recovered') });
    const r = await runCli(['run', '--no-stdin', 'hi'], { env: h.env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('recovered\n');
    expect(r.stderr).toContain('server_error');
    expect(r.stderr).toContain('(fixture) oops');
  });
});

export { path, toSse, writeFileSync };
