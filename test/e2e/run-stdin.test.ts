/**
 * The prompt and stdin rules of docs/design.md "kolega run" and case B32 (a silent inherited
 * stdin never hangs a run), plus bad input: invalid UTF-8 (decoded with U+FFFD and a warning — the
 * documented choice) and prompts above the 4 MiB limit (exit 2 naming the size).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, baseEnv, collect, runCli, spawnCli } from '../helpers/cli.js';
import { useFakeBackend } from '../helpers/fake-env.js';
import { waitForIdle } from '../helpers/proc.js';
import { textAnswer } from '../fakes/sse-events.js';

const t = useFakeBackend({ fallback: { kind: 'sse', events: textAnswer('ok') } });

/** Runs bin/kolega with stdin opened from `file` (a real file or /dev/null, not a pipe). */
async function runWithStdinFile(args: string[], file: string) {
  const fd = openSync(file, 'r');
  try {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: baseEnv(t.env()) as NodeJS.ProcessEnv,
      stdio: [fd, 'pipe', 'pipe'],
    });
    return await collect(child);
  } finally {
    closeSync(fd);
  }
}

/** The text of the user message the fake received in request `i`. */
function userText(i = 0): string {
  const input = t.fake.requests[i]!.body.input as { content: { type: string; text?: string }[] }[];
  // the prompt is the last input item (a new session leads with the environment context)
  return input.at(-1)!.content.find((c) => c.type === 'input_text')!.text!;
}

describe('B32 non-TTY stdin with no writer', () => {
  it('B32 a pipe that stays silent (inherited, never closed) is ignored after 500 ms with one note', async () => {
    const r = await collect(spawnCli(['run', 'hi'], { env: t.env(), stdin: 'silent-pipe' }), Date.now(), 40_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ok\n');
    expect(r.ms).toBeLessThan(25_000); // no hang (the pipe stays open for ever); generous for a loaded two-core machine
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/stdin is a pipe that sent nothing within 500 ms/);
    expect(userText()).toBe('hi');
  });

  it('B32 the same from a shell: sleep 600 | kolega run hi returns fast', async () => {
    const child = spawn(
      'bash',
      [
        '-c',
        `exec 3< <(exec sleep 600 >/dev/null 2>&1); SP=$!; "${process.execPath}" "${BIN}" run hi <&3; echo "status=$?"; kill "$SP"; exit 0`,
      ],
      {
        env: baseEnv(t.env()) as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const r = await collect(child, Date.now(), 40_000);
    expect(r.stdout).toBe('ok\nstatus=0\n');
    expect(r.ms).toBeLessThan(25_000); // no hang (sleep 600 holds the pipe); generous for a loaded machine
  });

  it('B32 kolega run hi < /dev/null: no wait, no note', async () => {
    const r = await runWithStdinFile(['run', 'hi'], '/dev/null');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'ok\n', '']);
    expect(userText()).toBe('hi');
  });

  it('B32 kolega run - < /dev/null: exit 2, no request', async () => {
    const r = await runWithStdinFile(['run', '-'], '/dev/null');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('prompt is empty');
    expect(t.fake.requests).toHaveLength(0);
  });

  it('B32 kolega run (no args) with a closed empty pipe: exit 2, no request', async () => {
    const r = await runCli(['run'], { env: t.env(), stdin: '' });
    expect(r.code).toBe(2);
    expect(t.fake.requests).toHaveLength(0);
  });
});

describe('stdin with a prompt argument', () => {
  it('a pipe that delivers data at once is appended after a blank line', async () => {
    const r = await runCli(['run', 'summarise', 'this'], { env: t.env(), stdin: 'line one\nline two\n' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(userText()).toBe('summarise this\n\nline one\nline two\n');
  });

  it('a file on stdin is appended after a blank line', async () => {
    const file = path.join(t.home, 'input.txt');
    writeFileSync(file, 'file content\n');
    const r = await runWithStdinFile(['run', 'explain'], file);
    expect(r.code).toBe(0);
    expect(userText()).toBe('explain\n\nfile content\n');
  });

  it('--stdin waits for a slow writer (past the 500 ms grace) and appends its data', { timeout: 90_000 }, async () => {
    const child = spawnCli(['run', '--stdin', 'hi'], { env: t.env(), stdin: 'silent-pipe' });
    const done = collect(child, Date.now(), 80_000);
    expect(await waitForIdle(child.pid!, 400, 60_000)).toBe(true); // started and blocked on stdin
    await new Promise((r) => setTimeout(r, 700)); // well past the 500 ms grace
    child.stdin!.end('late data');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(userText()).toBe('hi\n\nlate data');
  });

  it('without --stdin the same slow writer is ignored with the note', { timeout: 90_000 }, async () => {
    const child = spawnCli(['run', 'hi'], { env: t.env(), stdin: 'silent-pipe' });
    // Write only once kolega has given up on stdin (its note is out): the data must not be used.
    child.stderr!.on('data', (d: Buffer) => {
      if (d.toString().includes('--stdin to wait')) child.stdin!.end('late data');
    });
    const r = await collect(child, Date.now(), 60_000);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('--stdin to wait');
    expect(userText()).toBe('hi');
  });

  it('--no-stdin never reads it (no note either)', async () => {
    const r = await runCli(['run', '--no-stdin', 'hi'], { env: t.env(), stdin: 'ignored data' });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(userText()).toBe('hi');
  });

  it('whitespace-only stdin is not appended', async () => {
    const r = await runCli(['run', 'hi'], { env: t.env(), stdin: '\n\n  \n' });
    expect(r.code).toBe(0);
    expect(userText()).toBe('hi');
  });
});

describe('bad input', () => {
  it('stdin that is not valid UTF-8 is decoded with U+FFFD and a warning (documented choice)', async () => {
    const r = await runCli(['run'], { env: t.env(), stdin: Buffer.from([0x68, 0x69, 0x20, 0xff, 0xfe, 0x21]) });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/not valid UTF-8.*U\+FFFD/);
    expect(userText()).toBe('hi \uFFFD\uFFFD!');
  });

  it('a prompt above 4 MiB exits 2 naming the size, without a request', async () => {
    const r = await runCli(['run', '-'], { env: t.env(), stdin: 'a'.repeat(4 * 1024 * 1024 + 10) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/larger than 4194304 bytes \(got at least \d+\)/);
    expect(t.fake.requests).toHaveLength(0);
  });

  it('a prompt of exactly 4 MiB is accepted', async () => {
    const r = await runCli(['run', '-'], { env: t.env(), stdin: 'a'.repeat(4 * 1024 * 1024) });
    expect(r.code).toBe(0);
    expect(userText().length).toBe(4 * 1024 * 1024);
  });

  it('missing --instructions-file or --image, a non-image, and conflicting flags exit 2 naming the problem', async () => {
    const notImage = path.join(t.home, 'fake.png');
    writeFileSync(notImage, 'not an image');
    const cases: [string[], RegExp][] = [
      [['run', '--instructions-file', '/nonexistent/instr.txt', 'hi'], /\/nonexistent\/instr\.txt does not exist/],
      [['run', '--image', '/nonexistent/a.png', 'hi'], /"\/nonexistent\/a\.png" does not exist/],
      [['run', '--image', notImage, 'hi'], /fake\.png is not a PNG/],
      [['run', '--instructions', 'x', '--instructions-file', notImage, 'hi'], /cannot be used together/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(args, { env: t.env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
    }
    expect(t.fake.requests).toHaveLength(0);
  });
});
