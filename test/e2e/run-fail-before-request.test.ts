/** A run that fails before any request records no session and prints turn.failed as its only line. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';
import { useFakeBackend } from '../helpers/fake-env.js';

const t = useFakeBackend();

describe('run failing before any request', () => {
  it('-m openai_chatgpt/... with only an API key: one turn.failed not_signed_in, exit 3, no session', async () => {
    const env = { KOLEGA_HOME: t.home, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: t.fake.openaiBaseUrl };
    const r = await runCli(['run', '--json', '-m', 'openai_chatgpt/gpt-5.5', 'hi'], { env, cwd: t.home });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not signed in with ChatGPT/);
    const events = parseEvents(r.stdout);
    expect(events).toEqual([expect.objectContaining({ type: 'turn.failed' })]);
    expect(events[0]).toMatchObject({ error: { code: 'not_signed_in' } });
    const list = await runCli(['sessions', 'list', '--all', '--ids'], { env, cwd: t.home });
    expect(list.code).toBe(0);
    expect(list.stdout).toBe('');
    expect(t.fake.requests).toHaveLength(0);
  });

  it('no credentials at all: the same code, not_signed_in', async () => {
    const r = await runCli(['run', '--json', 'hi'], { env: { KOLEGA_HOME: t.home }, cwd: t.home });
    expect(r.code).toBe(3);
    expect(parseEvents(r.stdout)).toEqual([
      expect.objectContaining({ type: 'turn.failed', error: expect.objectContaining({ code: 'not_signed_in' }) }),
    ]);
  });
});
