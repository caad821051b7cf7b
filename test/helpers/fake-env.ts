/**
 * Per-test setup for e2e run tests: a fresh fake backend and KOLEGA_HOME, and the environment that
 * points `kolega run` (API-key provider) at the fake.
 */
import { afterEach, beforeEach } from 'vitest';
import { startFakeBackend, type FakeBackend, type FakeBackendOptions } from '../fakes/backend.js';
import { tempDir } from './cli.js';

/** Live handles of the current test's fake and home. */
export interface FakeEnv {
  fake: FakeBackend;
  home: string;
  /** Env for the API-key provider against the fake (plus `extra`). */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
}

/** Registers beforeEach/afterEach hooks and returns the handles (valid inside tests). */
export function useFakeBackend(opts: FakeBackendOptions = {}): FakeEnv {
  let home: { dir: string; cleanup: () => void };
  const h = {
    fake: undefined as unknown as FakeBackend,
    home: '',
    env(extra: Record<string, string | undefined> = {}) {
      return { KOLEGA_HOME: h.home, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: h.fake.openaiBaseUrl, ...extra };
    },
  };
  beforeEach(async () => {
    home = tempDir();
    h.home = home.dir;
    h.fake = await startFakeBackend(opts);
  });
  afterEach(async () => {
    await h.fake.close();
    home.cleanup();
  });
  return h;
}
