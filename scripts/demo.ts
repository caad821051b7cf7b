/**
 * `npm run demo`: the main job with no account. Starts the bundled fake backend on 127.0.0.1 with a
 * scripted turn (the model calls read_file on README.md, then answers from what it read) and runs
 * the real `kolega run` against it in text mode, showing tool activity on stderr.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeBackend, type RecordedRequest } from '../test/fakes/backend.js';
import { textAnswer, toolCall } from '../test/fakes/sse-events.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function answerFromToolOutput(req: RecordedRequest) {
  const input = req.body.input as { type: string; output?: string }[];
  const output = input.find((i) => i.type === 'function_call_output')?.output ?? '';
  const lines = output.split('\n');
  const title = lines.find((l) => l.startsWith('# '))?.slice(2) ?? 'an untitled project';
  const setup = lines.filter((l) => /^\s*(npm|\$)\s/.test(l)).map((l) => l.trim()).slice(0, 2);
  const text =
    `README.md describes ${title} (${lines.length} lines). ` +
    (setup.length > 0 ? `To get started it says to run: ${setup.join(' and ')}.` : 'It lists no set-up commands.');
  return { kind: 'sse' as const, events: textAnswer(text, 8), delayMs: 40 };
}

const fake = await startFakeBackend({
  apiKeys: ['demo-key'],
  steps: [
    { kind: 'sse', events: toolCall('call_demo_1', 'read_file', { path: 'README.md' }), delayMs: 30 },
    { kind: 'dynamic', respond: answerFromToolOutput },
  ],
});
const home = mkdtempSync(path.join(os.tmpdir(), 'kolega-demo-'));
const prompt = 'What does README.md say about getting started?';
process.stderr.write(`demo: fake Responses backend at ${fake.openaiBaseUrl}\ndemo: $ kolega run --verbose "${prompt}"\n\n`);
const child = spawn(process.execPath, [path.join(root, 'bin/kolega'), 'run', '--verbose', '--no-stdin', prompt], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, KOLEGA_HOME: home, OPENAI_API_KEY: 'demo-key', OPENAI_BASE_URL: fake.openaiBaseUrl, HTTPS_PROXY: '', HTTP_PROXY: '', https_proxy: '', http_proxy: '' },
});
const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await fake.close();
rmSync(home, { recursive: true, force: true });
process.stderr.write(`\ndemo: kolega exited with status ${code} after ${fake.requests.length} requests to the fake backend\n`);
process.exit(code);
