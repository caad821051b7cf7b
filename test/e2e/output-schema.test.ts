/** --output-schema end to end: text.format sent, the answer validated (exit 5 on mismatch), -o, bad schema file. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { textAnswer } from '../fakes/sse-events.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';

let fake: FakeBackend;
let home: { dir: string; cleanup: () => void };
let schemaFile: string;

const schema = {
  type: 'object',
  properties: { verdict: { type: 'string', enum: ['bug', 'feature'] }, confidence: { type: 'number' } },
  required: ['verdict', 'confidence'],
  additionalProperties: false,
};

beforeEach(async () => {
  home = tempDir();
  schemaFile = path.join(home.dir, 'answer.schema.json');
  writeFileSync(schemaFile, JSON.stringify(schema));
  fake = await startFakeBackend();
});
afterEach(async () => {
  await fake.close();
  home.cleanup();
});

const env = () => ({ KOLEGA_HOME: home.dir, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: fake.openaiBaseUrl });

describe('--output-schema', () => {
  it('sends the schema as text.format and writes the validated JSON with -o', async () => {
    const answer = '{"verdict":"bug","confidence":0.9}';
    fake.push({ kind: 'sse', events: textAnswer(answer) });
    const out = path.join(home.dir, 'answer.json');
    const r = await runCli(['run', '--output-schema', schemaFile, '-o', out, 'classify'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${answer}\n`);
    expect(fake.requests[0]!.body.text).toEqual({
      format: { type: 'json_schema', strict: true, name: 'kolega_output_schema', schema },
    });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ verdict: 'bug', confidence: 0.9 });
  });

  it('exits 5 with the validation error when the answer does not match, and writes no -o file', async () => {
    fake.push({ kind: 'sse', events: textAnswer('{"verdict":"maybe","confidence":"high"}') });
    const out = path.join(home.dir, 'answer.json');
    const r = await runCli(['run', '--json', '--output-schema', schemaFile, '-o', out, 'classify'], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /does not match --output-schema: answer\/verdict must be equal to one of the allowed values, answer\/confidence must be number/,
    );
    const last = parseEvents(r.stdout).at(-1)!;
    expect(last).toMatchObject({ type: 'turn.failed', error: { code: 'output_schema_mismatch' } });
    expect(existsSync(out)).toBe(false);
  });

  it('exits 5 when the answer is not JSON at all', async () => {
    fake.push({ kind: 'sse', events: textAnswer('It is a bug.') });
    const r = await runCli(['run', '--output-schema', schemaFile, 'classify'], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/the final answer is not valid JSON/);
  });

  it('exits 2 for a missing or broken schema file, before any request', async () => {
    const missing = await runCli(['run', '--output-schema', path.join(home.dir, 'nope.json'), 'x'], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read --output-schema .*nope\.json: no such file/);
    writeFileSync(schemaFile, '{"type": ');
    const broken = await runCli(['run', '--output-schema', schemaFile, 'x'], { env: env() });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/not valid JSON/);
    writeFileSync(schemaFile, '{"type": "no-such-type"}');
    const invalid = await runCli(['run', '--output-schema', schemaFile, 'x'], { env: env() });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/is not a valid JSON Schema/);
    expect(fake.requests).toHaveLength(0);
  });

  // A FIFO blocked the synchronous open forever (signals ignored) and /dev/zero filled memory:
  // only regular files of at most 1 MiB are read, for --output-schema and --mcp-config alike.
  it('refuses a FIFO, a device or an oversized file as --output-schema or --mcp-config (exit 2, one turn.failed)', async () => {
    const fifo = path.join(home.dir, 'schema.fifo');
    execFileSync('mkfifo', [fifo]);
    const big = path.join(home.dir, 'big.json');
    writeFileSync(big, `{"description": "${'x'.repeat(1024 * 1024)}"}`);
    for (const flag of ['--output-schema', '--mcp-config']) {
      for (const file of [fifo, '/dev/zero']) {
        const r = await runCli(['run', '--json', flag, file, 'x'], { env: env() });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`${flag} ${file} is not a file`);
        const events = parseEvents(r.stdout);
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ type: 'turn.failed', error: { code: 'not_a_file' } });
      }
      const r = await runCli(['run', '--json', flag, big, 'x'], { env: env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/big\.json is .* \(1048595 bytes\); the limit is /);
      expect(parseEvents(r.stdout)).toEqual([
        expect.objectContaining({ type: 'turn.failed', error: expect.objectContaining({ code: 'file_too_large' }) }),
      ]);
    }
    expect(fake.requests).toHaveLength(0);
  });
});
