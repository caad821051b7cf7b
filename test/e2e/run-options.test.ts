/**
 * `kolega run` flags end to end (docs/design.md "kolega run"): -o, --instructions-file, --image, -e,
 * --no-tools, --max-tool-calls, -C and tool confinement, invalid tool arguments.
 */
import { existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { textAnswer, toolCall } from '../fakes/sse-events.js';
import { httpError } from '../fakes/faults.js';

const t = useFakeBackend();
const PNG_1x1 = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082',
  'hex',
);

describe('run options', () => {
  it('-o writes the final answer on success only', async () => {
    const out = path.join(t.home, 'answer.txt');
    t.fake.push({ kind: 'sse', events: textAnswer('final words') }, httpError(400, { detail: 'nope' }));
    expect((await runCli(['run', '-o', out, 'hi'], { env: t.env() })).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('final words\n');
    const failed = path.join(t.home, 'failed.txt');
    expect((await runCli(['run', '-o', failed, 'hi'], { env: t.env() })).code).toBe(5);
    expect(existsSync(failed)).toBe(false);
  });

  it('--instructions-file and --image reach the request body', async () => {
    const instr = path.join(t.home, 'instr.md');
    const img = path.join(t.home, 'dot.png');
    writeFileSync(instr, 'Answer in French.');
    writeFileSync(img, PNG_1x1);
    t.fake.push({ kind: 'sse', events: textAnswer('oui') });
    const r = await runCli(['run', '--instructions-file', instr, '--image', img, 'describe'], { env: t.env() });
    expect(r.code).toBe(0);
    const body = t.fake.requests[0]!.body;
    expect(body.instructions).toBe('Answer in French.');
    const content = (body.input as { content: Record<string, unknown>[] }[]).at(-1)!.content;
    expect(content[0]).toEqual({ type: 'input_text', text: 'describe' });
    expect(content[1]).toEqual({
      type: 'input_image',
      image_url: `data:image/png;base64,${PNG_1x1.toString('base64')}`,
    });
  });

  it('-i/--image as in codex exec: repeatable and comma-separated; images keep their order', async () => {
    const a = path.join(t.home, 'a.png');
    const b = path.join(t.home, 'b.png');
    const c = path.join(t.home, 'c.png');
    // three different files (a trailing byte apart), so the order is visible in the request
    const data = [a, b, c].map((f, i) => {
      const bytes = Buffer.concat([PNG_1x1, Buffer.from([i])]);
      writeFileSync(f, bytes);
      return `data:image/png;base64,${bytes.toString('base64')}`;
    });
    t.fake.push({ kind: 'sse', events: textAnswer('three') });
    const r = await runCli(['run', '-i', `${a},${b}`, '--image', c, 'describe'], { env: t.env() });
    expect(r.code).toBe(0);
    const content = (t.fake.requests[0]!.body.input as { content: Record<string, unknown>[] }[]).at(-1)!.content;
    expect(content.map((p) => p.type)).toEqual(['input_text', 'input_image', 'input_image', 'input_image']);
    expect(content.slice(1).map((p) => p.image_url)).toEqual(data);
  });

  it('-i with text (the old meaning: instructions) is an image that does not exist: exit 2 with a pointer to --instructions, nothing sent', async () => {
    const r = await runCli(['run', '-i', 'be terse', 'hi'], { env: t.env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('image "be terse" does not exist (-i/--image attaches an image: check the path;');
    expect(r.stderr).toMatch(/--instructions/);
    const empty = await runCli(['run', '-i', 'a.png,', 'hi'], { env: t.env() });
    expect(empty.code).toBe(2);
    expect(t.fake.requests).toHaveLength(0);
  });

  it('an image over the limit names both sizes in binary units (2078 bytes is 2 KiB)', async () => {
    const big = path.join(t.home, 'big.png');
    writeFileSync(big, '');
    truncateSync(big, 21 * 1024 * 1024 + 100);
    const r = await runCli(['run', '-i', big, 'hi'], { env: t.env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is 21 MiB (${21 * 1024 * 1024 + 100} bytes); the limit is 20 MiB`);
  });

  it("--instructions replaces the default; -s danger-full-access (Codex's name) means full-access", async () => {
    t.fake.push({ kind: 'sse', events: textAnswer('ok') });
    const r = await runCli(
      ['run', '--json', '--instructions', 'Be terse.', '-s', 'danger-full-access', '--skip-git-repo-check', 'hi'],
      { env: t.env() },
    );
    expect(r.code).toBe(0);
    expect(t.fake.requests[0]!.body.instructions).toBe('Be terse.');
    expect(parseEvents(r.stdout)[0]!.sandbox).toBe('full-access');
  });

  it('-e is validated against the model; a valid one is sent', async () => {
    const bad = await runCli(['run', '-e', 'ludicrous', 'hi'], { env: t.env() });
    expect(bad.code).toBe(2);
    t.fake.push({ kind: 'sse', events: textAnswer('ok') });
    const good = await runCli(['run', '-e', 'high', 'hi'], { env: t.env() });
    expect(good.code).toBe(0);
    expect(t.fake.requests[0]!.body.reasoning).toEqual({ effort: 'high', summary: 'auto' });
  });

  it('--no-tools offers none; a call anyway is refused, not executed', async () => {
    t.fake.push(
      { kind: 'sse', events: toolCall('c1', 'read_file', { path: 'package.json' }) },
      { kind: 'sse', events: textAnswer('ok') },
    );
    const r = await runCli(['run', '--json', '--no-tools', 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    expect(t.fake.requests[0]!.body.tools).toEqual([]);
    const result = parseEvents(r.stdout).find((e) => e.type === 'tool.result')!;
    expect(result.status).not.toBe('ok');
    expect(result.output).not.toContain('"name": "kolega"');
  });

  it('--max-tool-calls ends the turn with turn.failed (exit 5)', async () => {
    t.fake.push(
      { kind: 'sse', events: toolCall('c1', 'list_dir', { path: '.' }) },
      { kind: 'sse', events: toolCall('c2', 'list_dir', { path: '.' }) },
    );
    const r = await runCli(['run', '--json', '--max-tool-calls', '1', 'hi'], { env: t.env() });
    expect(r.code).toBe(5);
    const events = parseEvents(r.stdout);
    expect(events.filter((e) => e.type === 'tool.result')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'max_tool_calls' } });
  });

  it('-C sets the workspace root; tools cannot leave it; invalid JSON arguments are never executed', async () => {
    const ws = path.join(t.home, 'ws');
    mkdirSync(ws);
    writeFileSync(path.join(ws, 'notes.txt'), 'workspace notes\n');
    writeFileSync(path.join(t.home, 'outside.txt'), 'outside secret\n');
    t.fake.push(
      { kind: 'sse', events: toolCall('c1', 'read_file', { path: 'notes.txt' }) },
      { kind: 'sse', events: toolCall('c2', 'read_file', { path: '../outside.txt' }) },
      { kind: 'sse', events: toolCall('c3', 'read_file', '{"path": "notes.txt"') },
      { kind: 'sse', events: textAnswer('done') },
    );
    const r = await runCli(['run', '--json', '-C', ws, 'hi'], { env: t.env() });
    expect(r.code).toBe(0);
    const results = parseEvents(r.stdout).filter((e) => e.type === 'tool.result');
    expect(results.map((e) => e.status)).toEqual(['ok', 'denied', 'error']);
    expect(results[0]!.output).toContain('workspace notes');
    expect(JSON.stringify(results)).not.toContain('outside secret');
    expect(results[2]!.output).toContain('not valid JSON');
    expect(parseEvents(r.stdout)[0]).toMatchObject({ cwd: ws });
  });

  it('-C with a missing directory exits 2 without a request', async () => {
    const r = await runCli(['run', '-C', path.join(t.home, 'nope'), 'hi'], { env: t.env() });
    expect(r.code).toBe(2);
    expect(t.fake.requests).toHaveLength(0);
  });
});
