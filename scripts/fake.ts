/**
 * `npm run fake`: the bundled fake backend (test/fakes/backend.ts, the one `npm run demo` uses) on
 * 127.0.0.1 until Ctrl-C, so the README examples (sessions, --resume, --continue, --fork) can be
 * tried with no account. Every turn gets a short text answer echoing the prompt's length. stdout gets
 * only the `export ...` lines to paste (or `eval "$(...)"`); notes go to stderr.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeBackend, type RecordedRequest, type Step } from '../test/fakes/backend.js';
import { textAnswer } from '../test/fakes/sse-events.js';

const KEY = 'fake-key';

/** Answers every turn with one sentence naming how many input items it got (so resumes show growth). */
function answer(req: RecordedRequest): Step {
  const items = Array.isArray(req.body.input) ? req.body.input.length : 0;
  return { kind: 'sse', events: textAnswer(`Fake answer: this request carried ${items} input item(s).`, 4) };
}

const fake = await startFakeBackend({ apiKeys: [KEY], fallback: { kind: 'dynamic', respond: answer } });
const home = mkdtempSync(path.join(os.tmpdir(), 'kolega-fake-home-'));
process.stdout.write(
  `export OPENAI_BASE_URL=${fake.openaiBaseUrl}\nexport OPENAI_API_KEY=${KEY}\nexport KOLEGA_HOME=${home}\n`,
);
process.stderr.write(
  `fake: Responses backend at ${fake.openaiBaseUrl}; paste the export lines above; Ctrl-C stops it\n`,
);

const stop = () => {
  void fake.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
