/**
 * Optional peer: `codex exec --json` (from `@openai/codex`, never a dependency of kolega) against
 * the same local stream, with a temporary CODEX_HOME whose config points a custom provider
 * (`wire_api = "responses"`) at the bench server and turns analytics off.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_KEY } from './fake.js';

/** Where codex is, if installed: node_modules/.bin first, then PATH. */
export function findCodex(repoRoot: string): string | undefined {
  const local = path.join(repoRoot, 'node_modules', '.bin', 'codex');
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'codex'))) return path.join(dir, 'codex');
  }
  return undefined;
}

/** A codex set-up: arguments and environment for one `codex exec --json` run, and cleanup. */
export interface CodexSetup {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  cleanup(): void;
}

/** Writes a temporary CODEX_HOME for `baseUrl` (the bench server's `/v1`). */
export function codexSetup(baseUrl: string, baseEnv: NodeJS.ProcessEnv): CodexSetup {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kolega-bench-codex-'));
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'kolega-bench-cwd-'));
  writeFileSync(
    path.join(home, 'config.toml'),
    [
      'model = "gpt-5.5"',
      'model_provider = "kolegabench"',
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[model_providers.kolegabench]',
      'name = "kolega bench fake"',
      `base_url = "${baseUrl}"`,
      'wire_api = "responses"',
      'env_key = "KOLEGA_BENCH_CODEX_KEY"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n'),
  );
  return {
    args: ['exec', '--json', '--skip-git-repo-check', '-c', 'analytics.enabled=false', 'hi'],
    env: { ...baseEnv, CODEX_HOME: home, KOLEGA_BENCH_CODEX_KEY: BENCH_KEY },
    cwd,
    cleanup: () => {
      rmSync(home, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
