/**
 * A signal after flag parsing but before the run installs its own handler (while its module loads:
 * the action imports run/execute.js lazily) still ends `run --json` with exactly one terminal line,
 * turn.failed with code "interrupted", and status 130 (docs/design.md "Exit status"). The signal is
 * sent by a loader hook while that module loads (test/fixtures/hooks/signal-on-load.mjs): no sleeps.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { textAnswer } from '../fakes/sse-events.js';

const t = useFakeBackend();
const HOOK = fileURLToPath(new URL('../fixtures/hooks/signal-on-load.mjs', import.meta.url));

describe('a signal while the run module loads', () => {
  it.each(['SIGINT', 'SIGTERM'])(
    '%s: run --json ends with turn.failed interrupted, exit 130, no request',
    async (sig) => {
      t.fake.push({ kind: 'sse', events: textAnswer('fine') });
      const r = await runCli(['run', '--json', 'hi'], {
        env: t.env({
          NODE_OPTIONS: `--import ${HOOK}`,
          KOLEGA_TEST_SIGNAL: sig,
          KOLEGA_TEST_SIGNAL_ON: 'dist/cli/run/execute.js',
        }),
      });
      expect(r.code).toBe(130);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      const last = JSON.parse(lines[0]!) as { type: string; error: { code: string } };
      expect([last.type, last.error.code]).toEqual(['turn.failed', 'interrupted']);
      expect(r.stderr).toBe('kolega: interrupted\n');
      expect(t.fake.requests).toHaveLength(0);
    },
  );
});
