/**
 * Every byte reaches a slow stdout reader and the exit status stays 0. Regression: the exit path
 * waited for a 'drain' event that is never emitted when no write() returned false, so a run whose
 * last few KB were still queued ended with "internal error ... without a result" (exit 1) and cut
 * output whenever the reader lagged (seen in ~15% of runs under load).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { ev, type SseEvent } from '../fakes/sse-events.js';
import { collect, spawnCli, tempDir } from '../helpers/cli.js';

let fake: FakeBackend;
const home = tempDir();
const N = 3000;
const parts = Array.from({ length: N }, (_, i) => `w${i} `);
const events: SseEvent[] = [
  ev.created(),
  ...parts.map((p) => ev.textDelta(p)),
  ev.messageDone(parts.join('')),
  ev.completed(),
];

beforeAll(async () => {
  fake = await startFakeBackend({ fallback: { kind: 'sse', events } });
});
afterAll(async () => {
  await fake.close();
  home.cleanup();
});

describe('stdout flushing at exit', () => {
  it('delivers the whole answer to a reader that pauses and resumes, with exit 0', async () => {
    for (let round = 0; round < 6; round++) {
      const child = spawnCli(['run', 'count'], {
        env: { KOLEGA_HOME: home.dir, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.openaiBaseUrl },
      });
      // Let kolega fill the socket while nobody reads, then read slowly in small bursts.
      child.stdout!.pause();
      const resume = setInterval(
        () => {
          child.stdout!.resume();
          setTimeout(() => child.stdout!.pause(), 2);
        },
        15 + round * 5,
      );
      const r = collect(child);
      const result = await r;
      clearInterval(resume);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(parts.join('') + '\n');
    }
  });
});
