/**
 * In-process seams for the turn loop and the renderers: a Provider aimed at the fake backend on
 * 127.0.0.1 (public-API path, API key), an IO over string buffers, and `runTurn` options with a
 * scratch workspace, so tests drive `runTurn` and the sinks without spawning the binary.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IO, type Writable } from '../../src/cli/io.js';
import type { EventSink, TurnEvent } from '../../src/core/events.js';
import type { Provider } from '../../src/core/providers/types.js';
import { builtinTools, offeredTools } from '../../src/core/tools/registry.js';
import type { SandboxLevel } from '../../src/core/tools/types.js';
import { runTurn, type TurnOptions, type TurnResult } from '../../src/core/turn.js';
import type { FakeBackend } from '../fakes/backend.js';

/** The API key the fake backend accepts by default. */
const FAKE_KEY = 'test-key';

/** A provider for the fake's `/v1` path; `recoveries` counts 401 recoveries asked for. */
export function fakeProvider(fake: FakeBackend, key = FAKE_KEY): Provider & { recoveries: number } {
  const p = {
    id: 'openai' as const,
    baseUrl: fake.openaiBaseUrl,
    chatgptBackend: false,
    env: {},
    staticHeaders: { 'user-agent': 'kolega-test' },
    recoveries: 0,
    auth: {
      headers: async () => ({ authorization: `Bearer ${key}` }),
      recoverUnauthorized: async () => {
        p.recoveries++;
        return false;
      },
    },
    secrets: () => [key],
  };
  return p;
}

/** A writable that keeps what it is given. */
export interface Buffered extends Writable {
  text: string;
}

/** A string buffer usable as stdout/stderr of an IO. */
export function buffer(isTTY = false): Buffered {
  const b: Buffered = {
    text: '',
    isTTY,
    write(chunk: string) {
      b.text += chunk;
      return true;
    },
  };
  return b;
}

/** An IO over buffers, with the buffers. */
export function bufferIO(
  opts: { verbose?: boolean; quiet?: boolean; stderrTTY?: boolean; env?: NodeJS.ProcessEnv } = {},
): {
  io: IO;
  stdout: Buffered;
  stderr: Buffered;
} {
  const stdout = buffer(false);
  const stderr = buffer(opts.stderrTTY ?? false);
  const io = new IO({ stdout, stderr, env: opts.env ?? { NO_COLOR: '1' }, verbose: opts.verbose, quiet: opts.quiet });
  return { io, stdout, stderr };
}

/** A scratch workspace (a real directory) for tool calls. */
export interface Workspace {
  root: string;
  cleanup(): void;
}

/** Creates a scratch workspace. */
export function workspace(): Workspace {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'kolega-turn-')));
  const root = path.join(base, 'ws');
  mkdirSync(root);
  return { root, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** `runTurn` options against `provider` in `root`, with the built-in tools offered under `sandbox`. */
export function turnOptions(
  provider: Provider,
  root: string,
  extra: Partial<TurnOptions> & { sandbox?: SandboxLevel } = {},
): TurnOptions {
  const { sandbox = 'read-only', ...rest } = extra;
  const all = builtinTools({ bwrap: null });
  const controller = new AbortController();
  return {
    provider,
    model: 'gpt-5.4',
    effort: 'low',
    instructions: 'You are a test.',
    userContent: [{ type: 'input_text', text: 'hello' }],
    allTools: all,
    offeredTools: offeredTools(all, sandbox),
    toolContext: {
      root,
      addDirs: [],
      protectedPaths: [],
      sandbox,
      signal: rest.signal ?? controller.signal,
      env: process.env,
    },
    maxToolCalls: 10,
    sessionId: '0190b2c3-d4e5-7f00-8000-000000000001',
    idleTimeoutMs: 20_000,
    signal: controller.signal,
    ...rest,
  };
}

/** Runs a turn, collecting its events. */
export async function collectTurn(
  opts: TurnOptions,
  also?: EventSink,
): Promise<{ result: TurnResult; events: TurnEvent[] }> {
  const events: TurnEvent[] = [];
  const result = await runTurn(opts, (e) => {
    events.push(e);
    also?.(e);
  });
  return { result, events };
}
