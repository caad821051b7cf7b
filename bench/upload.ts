/**
 * Bytes uploaded per request of a long tool loop, HTTP against the Responses WebSocket:
 * `kolega run --continue` on the ChatGPT backend, resuming a recorded 1 MB session (a first run whose
 * prompt is 1 MB of text), with a model that calls a tool 20 times before answering. Over
 * HTTP every request re-sends the whole conversation; over the WebSocket a follow-up names the
 * previous response and carries only the tool output. Sizes are what the local fake received: HTTP
 * request bodies and WebSocket frames (uncompressed on both sides).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeBackend } from '../test/fakes/backend.js';
import { textAnswer, toolCall } from '../test/fakes/sse-events.js';
import { writeChatGPTCredentials } from '../test/helpers/tokens.js';

/** Upload sizes of one transport. */
export interface UploadRun {
  transport: 'http' | 'websocket';
  /** Bytes of each request (HTTP body or WebSocket frame), in order. */
  bytes: number[];
  exitCode: number | null;
}

/** The figures of the upload bench. */
export interface UploadFigures {
  historyBytes: number;
  toolCalls: number;
  runs: UploadRun[];
}

/** A prompt of about `bytes` bytes of varied ASCII text. */
function syntheticHistory(bytes: number): string {
  const line = 'The quick brown fox jumps over the lazy dog; earlier turn of a long session, kept for context. ';
  const lines: string[] = [];
  for (let n = 0, i = 0; n < bytes; i++) {
    const l = `${i}: ${line}\n`;
    lines.push(l);
    n += l.length;
  }
  return lines.join('');
}

/** Spawns `bin args` with `env`, `stdin` written and closed. @returns the exit code */
async function spawnKolega(bin: string, args: string[], env: NodeJS.ProcessEnv, stdin: string): Promise<number | null> {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.end(stdin);
  return new Promise<number | null>((resolve) => child.on('close', resolve));
}

/**
 * Records a session holding the history (one run), then continues it over `transport` with the
 * tool loop, and collects what the fake received for the second run.
 */
async function runOnce(
  bin: string,
  transport: 'http' | 'websocket',
  history: string,
  calls: number,
): Promise<UploadRun> {
  const fake = await startFakeBackend({ websocket: true });
  const home = mkdtempSync(path.join(os.tmpdir(), 'kolega-bench-upload-'));
  try {
    writeChatGPTCredentials(home);
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      KOLEGA_HOME: home,
      KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl,
      KOLEGA_AUTH_ISSUER: fake.url,
    };
    fake.push({ kind: 'sse', events: textAnswer('noted') });
    const recorded = await spawnKolega(bin, ['run', '--transport', 'http', '-C', home, '--stdin'], env, history);
    if (recorded !== 0) return { transport, bytes: [], exitCode: recorded };
    const httpBefore = fake.requests.length;
    for (let i = 0; i < calls; i++)
      fake.push({ kind: 'sse', events: toolCall(`call_${i}`, 'list_dir', { path: '.' }) });
    fake.push({ kind: 'sse', events: textAnswer('done') });
    const exitCode = await spawnKolega(
      bin,
      ['run', '--continue', '--transport', transport, '-C', home, '--no-stdin', 'list the directory 20 times'],
      env,
      '',
    );
    const bytes =
      transport === 'http'
        ? fake.requests
            .slice(httpBefore)
            .filter((r) => r.path === '/backend-api/codex/responses')
            .map((r) => r.bytes ?? 0)
        : fake.frames.map((f) => f.bytes);
    return { transport, bytes, exitCode };
  } finally {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Runs the upload bench for the launcher at `bin`. */
export async function measureUploads(bin: string, historyBytes = 1024 * 1024, toolCalls = 20): Promise<UploadFigures> {
  const history = syntheticHistory(historyBytes);
  const runs = [await runOnce(bin, 'http', history, toolCalls), await runOnce(bin, 'websocket', history, toolCalls)];
  return { historyBytes, toolCalls, runs };
}
