/**
 * A 200 from /responses that is not an event stream: an HTML page (captive portal) is
 * `html_error_page` whatever its status, and any other content type says what came back; neither
 * is retried (one request), both exit 5.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { httpError } from '../fakes/faults.js';

const t = useFakeBackend();

describe('200 answers that are not an event stream', () => {
  it('a 200 captive-portal page is html_error_page, exit 5, no retries', async () => {
    const page = '<!DOCTYPE html><html><head><title>Login portal</title></head><body>sign in</body></html>';
    for (let i = 0; i < 5; i++) t.fake.push(httpError(200, page, { 'content-type': 'text/html' }));
    const r = await runCli(['run', '--no-stdin', '--json', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('"html_error_page"');
    expect(r.stderr).toContain('Login portal');
    expect(r.stderr).not.toContain('stream closed');
    expect(t.fake.requests).toHaveLength(1);
  });

  it('a 200 application/json says what came back, exit 5, no retries', async () => {
    for (let i = 0; i < 5; i++) t.fake.push(httpError(200, { ok: true }));
    const r = await runCli(['run', '--no-stdin', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('the server answered 200 with application/json instead of an event stream');
    expect(t.fake.requests).toHaveLength(1);
  });

  it('an empty 200 application/json body says the same', async () => {
    for (let i = 0; i < 5; i++) t.fake.push(httpError(200, ''));
    const r = await runCli(['run', '--no-stdin', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('instead of an event stream');
    expect(t.fake.requests).toHaveLength(1);
  });
});
