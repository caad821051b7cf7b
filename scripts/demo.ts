/**
 * `npm run demo`: the main job with no account. Starts the bundled fake backend on 127.0.0.1 with a
 * scripted turn (the model calls read_file on README.md, then answers from what it read) and runs
 * the real `kolega run` against it twice, showing each command first: in text mode (tool activity
 * on stderr with --verbose), then with --json (through jq when it is installed; the demo does not
 * need it). It ends with the commands to run next on a real account.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeBackend, type RecordedRequest, type Step } from '../test/fakes/backend.js';
import { textAnswer, toolCall } from '../test/fakes/sse-events.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin/kolega');

function answerFromToolOutput(req: RecordedRequest): Step {
  const input = req.body.input as { type: string; output?: string }[];
  const output = input.find((i) => i.type === 'function_call_output')?.output ?? '';
  const lines = output.split('\n');
  const title = lines.find((l) => l.startsWith('# '))?.slice(2) ?? 'an untitled project';
  const setup = lines
    .filter((l) => /^\s*(npm|\$)\s/.test(l))
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .slice(0, 2);
  const text =
    `README.md describes ${title}. ` +
    (setup.length > 0 ? `To get started it says to run: ${setup.join(' and ')}.` : 'It lists no set-up commands.');
  return { kind: 'sse', events: textAnswer(text, 8), delayMs: 40 };
}

/** The scripted turn: one read_file call, then the answer built from what the tool returned. */
const turn = (): Step[] => [
  { kind: 'sse', events: toolCall('call_demo_1', 'read_file', { path: 'README.md' }), delayMs: 30 },
  { kind: 'dynamic', respond: answerFromToolOutput },
];

const fake = await startFakeBackend({ apiKeys: ['demo-key'], steps: [...turn(), ...turn()] });
const home = mkdtempSync(path.join(os.tmpdir(), 'kolega-demo-'));
const env = {
  ...process.env,
  KOLEGA_HOME: home,
  OPENAI_API_KEY: 'demo-key',
  OPENAI_BASE_URL: fake.openaiBaseUrl,
  HTTPS_PROXY: '',
  HTTP_PROXY: '',
  https_proxy: '',
  http_proxy: '',
};
const prompt = 'What does README.md say about getting started?';
const say = (line: string) => process.stderr.write(`demo: ${line}\n`);

/** Runs bin/kolega with `args`, stdout to the terminal or into `pipeTo` (argv of a filter). */
function kolega(args: string[], pipeTo?: string[]): Promise<number> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    stdio: ['ignore', pipeTo ? 'pipe' : 'inherit', 'inherit'],
    env,
  });
  const filter = pipeTo ? spawn(pipeTo[0]!, pipeTo.slice(1), { stdio: ['pipe', 'inherit', 'inherit'] }) : undefined;
  if (filter) child.stdout!.pipe(filter.stdin!);
  const done = (p: ReturnType<typeof spawn>) => new Promise<number>((resolve) => p.on('close', (c) => resolve(c ?? 1)));
  return Promise.all([done(child), filter ? done(filter) : Promise.resolve(0)]).then(([a, b]) => a || b);
}

say(`fake Responses backend at ${fake.openaiBaseUrl} (OPENAI_BASE_URL; no account needed)`);
say(`$ kolega run --verbose "${prompt}"`);
process.stderr.write('\n');
let code = await kolega(['run', '--verbose', prompt]);

if (code === 0) {
  const hasJq = spawnSync('jq', ['--version'], { stdio: 'ignore' }).status === 0;
  const filter = 'select(.type != "text.delta") | del(.output)';
  process.stderr.write('\n');
  say(
    hasJq
      ? `$ kolega run --json "${prompt}" | jq -c '${filter}'`
      : `$ kolega run --json "${prompt}"    (jq is not installed: every event as it comes)`,
  );
  process.stderr.write('\n');
  code = await kolega(['run', '--json', prompt], hasJq ? ['jq', '-c', filter] : undefined);
}

await fake.close();
rmSync(home, { recursive: true, force: true });
process.stderr.write('\n');
say(`kolega exited with status ${code} after ${fake.requests.length} requests to the fake backend`);
if (code === 0) {
  say('next, on a real account:');
  process.stderr.write(
    '  kolega auth login chatgpt                           # or: printenv OPENAI_API_KEY | kolega auth login openai --with-api-key\n',
  );
  process.stderr.write('  kolega models                                       # the models you can use\n');
  process.stderr.write('  echo "what does this project do?" | kolega run      # your first real turn\n');
}
process.exit(code);
