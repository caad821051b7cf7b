/**
 * Sessions end to end (README "Sessions", "AGENTS.md and the environment context"): the real
 * binary against the strict fake. A run, then --resume and --continue, send the earlier items
 * byte-identical with the same prompt_cache_key (as capture D); --fork leaves its parent alone;
 * --ephemeral records nothing; concurrent resumes never interleave; a SIGKILLed run and a torn
 * last line still resume; AGENTS.md and the environment context lead the first request only (as
 * capture E); a model switch drops unreadable reasoning and reshapes the lead (capture D2).
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend, type RecordedRequest } from '../fakes/backend.js';
import { ev, phasedMessage, textAnswer, type SseEvent } from '../fakes/sse-events.js';
import { collect, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { parseDocument } from '../helpers/doc-schema.js';
import { parseEvents } from '../helpers/schema.js';
import { writeChatGPTCredentials } from '../helpers/tokens.js';

let fake: FakeBackend;
let home: { dir: string; cleanup: () => void };
let work: { dir: string; cleanup: () => void };
let ws: string;

beforeEach(async () => {
  home = tempDir();
  work = tempDir();
  // a git repository with AGENTS.md at its root and in the workspace below it
  ws = path.join(work.dir, 'pkg');
  mkdirSync(path.join(work.dir, '.git'));
  mkdirSync(ws);
  writeFileSync(path.join(work.dir, 'AGENTS.md'), '# Root notes\n\n- Run `npm test` before finishing.\n');
  writeFileSync(path.join(ws, 'AGENTS.md'), '- Two-space indentation.\n');
  writeFileSync(path.join(ws, 'note.txt'), 'hi-from-tool\n');
  writeChatGPTCredentials(home.dir);
  fake = await startFakeBackend({ accountId: 'acct-test-1' });
});
afterEach(async () => {
  await fake.close();
  home.cleanup();
  work.cleanup();
});

const env = (extra: Record<string, string> = {}) => ({
  KOLEGA_HOME: home.dir,
  KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl,
  KOLEGA_AUTH_ISSUER: fake.url,
  TZ: 'UTC',
  ...extra,
});
const apiEnv = () => ({
  KOLEGA_HOME: home.dir,
  OPENAI_API_KEY: 'test-key',
  OPENAI_BASE_URL: fake.openaiBaseUrl,
  KOLEGA_MODEL: 'openai/gpt-6.2-sol',
  TZ: 'UTC',
});
const responses = (): RecordedRequest[] => fake.requests.filter((r) => r.path.endsWith('/responses'));
const inputOf = (r: RecordedRequest) => r.body.input as Record<string, unknown>[];
const sessionsDir = () => path.join(home.dir, 'sessions');
const sessionFile = (id: string) => path.join(sessionsDir(), `${id}.jsonl`);
/** A local time with a relative part, as `formatWhen` prints it: `08:00, 3s ago`. */
const WHEN = String.raw`(\d{4}-\d\d-\d\d )?\d\d:\d\d, (just now|\d+[smhd]( \d+[mh])? ago)`;

function callAnswer(): SseEvent[] {
  return [
    ev.created('resp_1'),
    ev.reasoningDone('Looking', 'ENC_1', 'rs_1'),
    ...phasedMessage('Reading the file.', 'msg_c', 'commentary'),
    {
      type: 'response.output_item.done',
      output_index: 2,
      item: {
        id: 'fc_1',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_1',
        name: 'read_file',
        namespace: 'functions',
        arguments: '{"path":"note.txt"}',
      },
    },
    ev.completed('resp_1'),
  ];
}
const finalAnswer = (text: string, enc = 'ENC_2'): SseEvent[] => [
  ev.created('resp_2'),
  ev.reasoningDone('Done', enc, 'rs_2'),
  ...phasedMessage(text, 'msg_f', 'final_answer'),
  ev.completed('resp_2'),
];

function startedOf(stdout: string): Record<string, unknown> {
  return parseEvents(stdout).find((e) => e.type === 'turn.started')!;
}

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs the first turn (a tool round trip with gpt-6.2-sol) and returns its session id. */
async function firstRun(): Promise<string> {
  fake.push({ kind: 'sse', events: callAnswer() }, { kind: 'sse', events: finalAnswer('It says hi-from-tool.') });
  const r = await runCli(['run', '-m', 'gpt-6.2-sol', '--json', '-C', ws, 'What does note.txt say?'], { env: env() });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return startedOf(r.stdout).session_id as string;
}

describe('first request: AGENTS.md and the environment context (capture E)', () => {
  it('one user message with the AGENTS.md part, then the environment context, after the tools and instructions items', async () => {
    const id = await firstRun();
    const [first] = responses();
    const input = inputOf(first!);
    expect(input.map((i) => [i.type, i.role])).toEqual([
      ['additional_tools', 'developer'],
      ['message', 'developer'],
      ['message', 'user'],
      ['message', 'user'],
    ]);
    const parts = input[2]!.content as { type: string; text: string }[];
    expect(parts).toHaveLength(2);
    expect(parts[0]!.text).toBe(
      `# AGENTS.md instructions for ${ws}\n\n<INSTRUCTIONS>\n# Root notes\n\n- Run \`npm test\` before finishing.\n\n\n- Two-space indentation.\n\n</INSTRUCTIONS>`,
    );
    const today = new Date().toISOString().slice(0, 10);
    expect(parts[1]!.text).toBe(
      '<environment_context>\n' +
        `  <cwd>${ws}</cwd>\n` +
        `  <shell>${existsSync('/bin/bash') ? 'bash' : 'sh'}</shell>\n` +
        `  <current_date>${today}</current_date>\n` +
        '  <timezone>UTC</timezone>\n' +
        `  <filesystem><workspace_roots><root>${ws}</root></workspace_roots><permission_profile type="managed"><file_system type="restricted"><entry access="read"><path>${ws}</path></entry></file_system></permission_profile></filesystem>\n` +
        '</environment_context>',
    );
    expect(input[3]).toEqual({
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'What does note.txt say?' }],
    });
    // the session file: header, then the turn, 0600 in a 0700 directory
    expect(statSync(sessionsDir()).mode & 0o777).toBe(0o700);
    expect(statSync(sessionFile(id)).mode & 0o777).toBe(0o600);
    const recs = lines(sessionFile(id));
    expect(recs[0]).toMatchObject({
      type: 'session',
      v: 1,
      id,
      cwd: ws,
      provider: 'openai_chatgpt',
      model: 'gpt-6.2-sol',
      sandbox: 'read-only',
      title: 'What does note.txt say?',
    });
    expect(recs[1]).toMatchObject({
      type: 'turn',
      turn: 1,
      model: 'gpt-6.2-sol',
      project_docs: [path.join(work.dir, 'AGENTS.md'), path.join(ws, 'AGENTS.md')],
    });
    expect(recs.at(-1)).toMatchObject({
      type: 'turn_end',
      turn: 1,
      status: 'completed',
      final_text: 'It says hi-from-tool.',
    });
    expect(JSON.stringify(recs)).not.toContain('Bearer');
  });

  it('turn.started lists the AGENTS.md files; --no-project-doc sends none and keeps the environment context; KOLEGA_HOME/AGENTS.md comes first', async () => {
    writeFileSync(path.join(home.dir, 'AGENTS.md'), 'global notes\n');
    fake.push({ kind: 'sse', events: textAnswer('a') }, { kind: 'sse', events: textAnswer('b') });
    const a = await runCli(['run', '--json', '-C', ws, 'x'], { env: apiEnv() });
    expect(a.code).toBe(0);
    expect(startedOf(a.stdout).project_docs).toEqual([
      path.join(home.dir, 'AGENTS.md'),
      path.join(work.dir, 'AGENTS.md'),
      path.join(ws, 'AGENTS.md'),
    ]);
    const first = inputOf(responses()[0]!);
    // the public API takes instructions top-level: the context message comes first
    expect((first[0]!.content as { text: string }[])[0]!.text).toMatch(
      /^# AGENTS.md instructions for .*\n\n<INSTRUCTIONS>\nglobal notes\n\n\n# Root notes/,
    );
    const b = await runCli(['run', '--json', '--no-project-doc', '-C', ws, 'y'], { env: apiEnv() });
    expect(b.code).toBe(0);
    expect(startedOf(b.stdout).project_docs).toEqual([]);
    const second = inputOf(responses()[1]!);
    expect(second[0]!.content).toHaveLength(1);
    expect((second[0]!.content as { text: string }[])[0]!.text).toMatch(/^<environment_context>\n/);
  });

  it('an AGENTS.md that resolves into a secret (the credentials file) or is not a regular file is never read', async () => {
    writeChatGPTCredentials(home.dir);
    rmSync(path.join(ws, 'AGENTS.md'));
    symlinkSync(path.join(home.dir, 'credentials.json'), path.join(ws, 'AGENTS.md'));
    execFileSync('mkfifo', [path.join(work.dir, 'AGENTS.md.fifo')]);
    rmSync(path.join(work.dir, 'AGENTS.md'));
    symlinkSync(path.join(work.dir, 'AGENTS.md.fifo'), path.join(work.dir, 'AGENTS.md'));
    fake.push({ kind: 'sse', events: textAnswer('a') });
    const a = await runCli(['run', '--json', '-C', ws, 'x'], { env: env() });
    expect(a.code).toBe(0);
    expect(startedOf(a.stdout).project_docs).toEqual([]);
    const body = JSON.stringify(responses()[0]!.body);
    expect(body).not.toMatch(/refresh_token|access_token/);
    const id = startedOf(a.stdout).session_id as string;
    expect(readFileSync(sessionFile(id), 'utf8')).not.toMatch(/refresh_token|access_token/);
  });

  it('workspace-write and full-access describe what the tools may do', async () => {
    fake.push({ kind: 'sse', events: textAnswer('a') }, { kind: 'sse', events: textAnswer('b') });
    expect(
      (await runCli(['run', '--no-project-doc', '-s', 'workspace-write', '-C', ws, 'x'], { env: apiEnv() })).code,
    ).toBe(0);
    expect(
      (await runCli(['run', '--no-project-doc', '-s', 'full-access', '-C', ws, 'x'], { env: apiEnv() })).code,
    ).toBe(0);
    const ctx = (i: number) => (inputOf(responses()[i]!)[0]!.content as { text: string }[])[0]!.text;
    expect(ctx(0)).toContain(`<entry access="write"><path>${ws}</path></entry>`);
    expect(ctx(1)).toContain(
      '<permission_profile type="disabled"><file_system type="unrestricted" /></permission_profile>',
    );
  });
});

describe('--resume and --continue replay the session (capture D)', () => {
  it('the earlier items byte-identical, the same prompt_cache_key and session headers, no new context, AGENTS.md not sent again', async () => {
    const id = await firstRun();
    const turn1 = responses()[1]!;
    fake.push({ kind: 'sse', events: finalAnswer('Second answer.', 'ENC_3') });
    const r = await runCli(['run', '--resume', id.slice(0, 13), '--json', '-C', ws, 'second question'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(startedOf(r.stdout)).toMatchObject({ session_id: id, model: 'gpt-6.2-sol', project_docs: [] });
    const resumed = responses()[2]!;
    const before = inputOf(turn1);
    const now = inputOf(resumed);
    expect(JSON.stringify(now.slice(0, before.length))).toBe(JSON.stringify(before));
    expect(now.slice(before.length)).toEqual([
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Done' }], encrypted_content: 'ENC_2' },
      {
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'It says hi-from-tool.' }],
        phase: 'final_answer',
      },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'second question' }] },
    ]);
    expect(resumed.body.prompt_cache_key).toBe(id);
    for (const h of ['session-id', 'thread-id', 'x-client-request-id']) expect(resumed.headers[h]).toBe(id);
    expect(resumed.headers['x-codex-window-id']).toBe(`${id}:0`);
    expect(resumed.headers).not.toHaveProperty('x-codex-turn-state');
    expect(JSON.stringify(now).split('<environment_context>')).toHaveLength(2);
    expect(JSON.stringify(now).split('# AGENTS.md instructions')).toHaveLength(2);

    // --continue (from another directory, with -C) picks the same session and replays turn 2 too
    fake.push({ kind: 'sse', events: finalAnswer('Third.', 'ENC_4') });
    const c = await runCli(['run', '--continue', '--json', '-C', ws, 'third'], { env: env() });
    expect(c.code).toBe(0);
    expect(startedOf(c.stdout).session_id).toBe(id);
    const third = inputOf(responses()[3]!);
    expect(JSON.stringify(third.slice(0, now.length))).toBe(JSON.stringify(now));
    expect(responses()[3]!.body.prompt_cache_key).toBe(id);
    const turns = lines(sessionFile(id))
      .filter((l) => l.type === 'turn')
      .map((l) => l.turn);
    expect(turns).toEqual([1, 2, 3]);
  });

  it('every run flag works with --resume: -o, -s, -e and text mode (session id on stderr with --verbose)', async () => {
    const id = await firstRun();
    const out = path.join(work.dir, 'answer.txt');
    fake.push({ kind: 'sse', events: finalAnswer('Fine.') });
    const r = await runCli(
      ['run', '--resume', id, '-C', ws, '-s', 'workspace-write', '-e', 'high', '-o', out, '--verbose', 'again'],
      { env: env() },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Fine.\n');
    expect(readFileSync(out, 'utf8')).toBe('Fine.\n');
    expect(r.stderr).toContain(`kolega: session ${id}`);
    expect(responses()[2]!.body.reasoning).toEqual({ effort: 'high', context: 'all_turns' });
    // another tool set for a Lite model is a new tools item: noted, recorded, and replayed as such next time
    expect(r.stderr).toContain('prompt cache will miss');
    fake.push({ kind: 'sse', events: finalAnswer('Again.') });
    const again = await runCli(['run', '--resume', id, '-C', ws, '-s', 'workspace-write', '--json', 'once more'], {
      env: env(),
    });
    expect(again.stderr).toBe('');
    const prev = inputOf(responses()[2]!);
    expect(JSON.stringify(inputOf(responses()[3]!).slice(0, prev.length))).toBe(JSON.stringify(prev));
  });

  it('an unknown or ambiguous id exits 2 before any request; --resume with --fork is a usage error', async () => {
    const a = await runCli(['run', '--resume', 'ffffffff', 'x'], { env: apiEnv() });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/no session "ffffffff"/);
    const b = await runCli(['run', '--resume', 'a', '--fork', 'b', 'x'], { env: apiEnv() });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--resume and --fork cannot be used together/);
    const c = await runCli(['run', '--continue', '-C', ws, 'x'], { env: apiEnv() });
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/no session recorded for/);
    expect(responses()).toHaveLength(0);
  });
});

describe('--fork and --ephemeral', () => {
  it('--fork copies the history into a new session and leaves the parent unchanged', async () => {
    const id = await firstRun();
    const parentBytes = readFileSync(sessionFile(id));
    fake.push({ kind: 'sse', events: finalAnswer('Forked.') });
    const r = await runCli(['run', '--fork', id, '--json', '-C', ws, 'branch off'], { env: env() });
    expect(r.code).toBe(0);
    const forkId = startedOf(r.stdout).session_id as string;
    expect(forkId).not.toBe(id);
    expect(readFileSync(sessionFile(id)).equals(parentBytes)).toBe(true);
    const before = inputOf(responses()[1]!);
    const forked = responses()[2]!;
    expect(JSON.stringify(inputOf(forked).slice(0, before.length))).toBe(JSON.stringify(before));
    expect(forked.body.prompt_cache_key).toBe(forkId);
    const recs = lines(sessionFile(forkId));
    expect(recs[0]).toMatchObject({ type: 'session', id: forkId, parent_id: id });
    // the parent's records, byte for byte, then the fork's own turn 2
    const parentLines = parentBytes.toString('utf8').trimEnd().split('\n').slice(1);
    expect(
      readFileSync(sessionFile(forkId), 'utf8')
        .split('\n')
        .slice(1, 1 + parentLines.length),
    ).toEqual(parentLines);
    expect(recs.filter((l) => l.type === 'turn').map((l) => l.turn)).toEqual([1, 2]);
  });

  it('--ephemeral leaves KOLEGA_HOME/sessions untouched', async () => {
    fake.push({ kind: 'sse', events: textAnswer('nothing kept') });
    const r = await runCli(['run', '--ephemeral', '--json', 'x'], { env: apiEnv() });
    expect(r.code).toBe(0);
    expect(existsSync(sessionsDir())).toBe(false);
    const id = await firstRun();
    const bytes = readFileSync(sessionFile(id));
    fake.push({ kind: 'sse', events: finalAnswer('not kept') });
    const e = await runCli(['run', '--ephemeral', '--resume', id, '-C', ws, 'y'], { env: env() });
    expect(e.code).toBe(0);
    expect(readFileSync(sessionFile(id)).equals(bytes)).toBe(true);
    expect(readdirSync(sessionsDir())).toEqual([`${id}.jsonl`]);
  });
});

describe('robustness', () => {
  it('two runs on one session never interleave: the second waits, then exits 2 suggesting --fork', async () => {
    const id = await firstRun();
    fake.push({ kind: 'stall' });
    const holder = spawnCli(['run', '--resume', id, '-C', ws, '--json', 'slow'], { env: env() });
    const held = collect(holder, Date.now(), 60_000);
    // wait until the holder's request reached the fake (it holds the lock by then)
    for (let i = 0; i < 400 && responses().length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(responses()).toHaveLength(3);
    const bytes = readFileSync(sessionFile(id));
    const second = await runCli(['run', '--resume', id, '-C', ws, 'fast'], { env: env(), killAfterMs: 40_000 });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`session ${id} is in use by another kolega run.*--fork ${id}`));
    expect(responses()).toHaveLength(3);
    expect(readFileSync(sessionFile(id)).equals(bytes)).toBe(true);
    holder.kill('SIGINT');
    expect((await held).code).toBe(130);
    // the interrupted turn is closed in the file; every line is whole JSON
    expect(lines(sessionFile(id)).at(-1)).toMatchObject({ type: 'turn_end', turn: 2, status: 'failed' });
  }, 60_000);

  it('--continue while another run of the workspace is still going takes the latest session that is not in use, with a note', async () => {
    const older = await firstRun();
    fake.push({ kind: 'sse', events: textAnswer('second') });
    const newer = startedOf((await runCli(['run', '--json', '-C', ws, 'newer'], { env: env() })).stdout)
      .session_id as string;
    fake.push({ kind: 'stall' });
    const holder = spawnCli(['run', '--resume', newer, '-C', ws, 'still going'], { env: env() });
    const held = collect(holder, Date.now(), 60_000);
    for (let i = 0; i < 400 && responses().length < 4; i++) await new Promise((r) => setTimeout(r, 50));
    expect(responses()).toHaveLength(4);
    fake.push({ kind: 'sse', events: finalAnswer('continued') });
    const r = await runCli(['run', '--continue', '-C', ws, '--json', 'go on'], { env: env() });
    expect(r.code).toBe(0);
    expect(startedOf(r.stdout).session_id).toBe(older);
    expect(r.stderr).toContain(`session ${newer} is in use by another run; continuing ${older}`);
    holder.kill('SIGINT');
    await held;
  }, 60_000);

  it('a run killed with SIGKILL mid-stream still resumes; its prompt stays in the history', async () => {
    const id = await firstRun();
    fake.push({ kind: 'sse', events: [ev.created(), ev.textDelta('partial ')], stallAfter: true });
    const child = spawnCli(['run', '--resume', id, '-C', ws, 'doomed'], { env: env() });
    const done = collect(child, Date.now(), 60_000);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 400 && !out.includes('partial'); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await done;
    fake.push({ kind: 'sse', events: finalAnswer('Recovered.') });
    const r = await runCli(['run', '--resume', id, '-C', ws, '--json', 'after the crash'], {
      env: env(),
      killAfterMs: 40_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const input = inputOf(responses().at(-1)!);
    const texts = input.filter((i) => i.role === 'user').map((i) => (i.content as { text: string }[]).at(-1)!.text);
    expect(texts.slice(-2)).toEqual(['doomed', 'after the crash']);
  }, 60_000);

  it('a torn last line is ignored with a warning, cut before appending, and the session resumes', async () => {
    const id = await firstRun();
    appendFileSync(sessionFile(id), '{"type":"output","turn":1,"item":{"type":"mess');
    fake.push({ kind: 'sse', events: finalAnswer('Still fine.') });
    const r = await runCli(['run', '--resume', id, '-C', ws, 'go on'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Still fine.\n');
    expect(r.stderr).toMatch(/ignored an incomplete last line/);
    expect(() => lines(sessionFile(id))).not.toThrow();
    const show = await runCli(['sessions', 'show', id, '--json'], { env: env() });
    expect(show.code).toBe(0);
  });

  it('a tool call left without output by a killed run gets an "aborted" output on resume', async () => {
    const id = await firstRun();
    appendFileSync(
      sessionFile(id),
      JSON.stringify({
        type: 'turn',
        turn: 2,
        at: new Date().toISOString(),
        provider: 'openai_chatgpt',
        model: 'gpt-6.2-sol',
        effort: 'low',
        sandbox: 'read-only',
        cwd: ws,
        instructions: 'x',
      }) +
        '\n' +
        JSON.stringify({
          type: 'output',
          turn: 2,
          item: {
            id: 'fc_9',
            type: 'function_call',
            status: 'completed',
            call_id: 'call_9',
            name: 'read_file',
            arguments: '{"path":"note.txt"}',
          },
        }) +
        '\n',
    );
    fake.push({ kind: 'sse', events: finalAnswer('ok') });
    const r = await runCli(['run', '--resume', id, '-C', ws, 'next'], { env: env() });
    expect(r.code).toBe(0);
    const input = inputOf(responses().at(-1)!);
    expect(input.at(-2)).toMatchObject({ type: 'function_call_output', call_id: 'call_9' });
  });

  it('a FIFO or a directory in the sessions folder is skipped by list and refused by --resume (exit 2), never a hang or a crash', async () => {
    fake.push({ kind: 'sse', events: textAnswer('a') });
    expect((await runCli(['run', '-C', ws, 'x'], { env: apiEnv() })).code).toBe(0);
    const fifoId = 'aaaa0022-0000-7000-8000-000000000000';
    const dirId = 'aaaa0012-0000-7000-8000-000000000000';
    execFileSync('mkfifo', [sessionFile(fifoId)]);
    mkdirSync(sessionFile(dirId));
    const list = await runCli(['sessions', 'list', '--all', '--json'], { env: apiEnv() });
    expect(list.code).toBe(0);
    expect(list.stdout).not.toMatch(/aaaa00/);
    for (const id of [fifoId, dirId]) {
      const r = await runCli(['run', '--resume', id, 'y'], { env: apiEnv() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not a regular file/);
    }
    expect(responses()).toHaveLength(1);
  });

  it('a sessions path that is a file or a dangling symlink is a clear exit 2; a resume makes loosened modes private again', async () => {
    fake.push({ kind: 'sse', events: textAnswer('a') }, { kind: 'sse', events: textAnswer('b') });
    const a = await runCli(['run', '--json', '-C', ws, 'x'], { env: apiEnv() });
    expect(a.code).toBe(0);
    const id = startedOf(a.stdout).session_id as string;
    chmodSync(sessionsDir(), 0o777);
    chmodSync(sessionFile(id), 0o644);
    expect((await runCli(['run', '--resume', id, 'y'], { env: apiEnv() })).code).toBe(0);
    expect(statSync(sessionsDir()).mode & 0o777).toBe(0o700);
    expect(statSync(sessionFile(id)).mode & 0o777).toBe(0o600);
    rmSync(sessionsDir(), { recursive: true });
    symlinkSync(path.join(home.dir, 'missing'), sessionsDir());
    const b = await runCli(['run', '--json', '-C', ws, 'z'], { env: apiEnv() });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/sessions is not a usable directory.*remove it/);
    expect(b.stdout.trim().split('\n').at(-1)).toMatch(/"type":"turn.failed".*sessions_dir_failed/);
    expect(responses()).toHaveLength(2);
  });

  it('a session that no longer fits the context window fails before sending, naming the session and its size (exit 5)', async () => {
    const id = await firstRun();
    const recs = readFileSync(sessionFile(id), 'utf8').trimEnd().split('\n');
    const end = JSON.parse(recs.at(-1)!) as Record<string, unknown>;
    end.context_tokens = 10_000_000;
    recs[recs.length - 1] = JSON.stringify(end);
    writeFileSync(sessionFile(id), recs.join('\n') + '\n');
    const r = await runCli(['run', '--resume', id, '--json', '-C', ws, 'too much'], { env: env() });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      new RegExp(
        `session ${id} holds about \\d+ tokens \\(\\d+\\.\\d MB on disk\\), more than the \\d+-token context window of gpt-6.2-sol`,
      ),
    );
    const events = parseEvents(r.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'context_window_exceeded' } });
    expect(responses()).toHaveLength(2);
  });
});

describe('model switch on resume (capture D2)', () => {
  it('a Lite session resumed with gpt-5.5: reasoning dropped with a note, tools back at top level, instructions and context kept', async () => {
    const id = await firstRun();
    fake.push({ kind: 'sse', events: finalAnswer('From 5.5.') });
    const r = await runCli(['run', '--resume', id, '-m', 'gpt-5.5', '--json', '-C', ws, 'switch'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/recorded with model gpt-6.2-sol; it continues with gpt-5.5/);
    expect(r.stderr).toMatch(/dropped 2 reasoning items that gpt-5.5 cannot read/);
    const req = responses()[2]!;
    expect(req.body.model).toBe('gpt-5.5');
    expect(req.body.prompt_cache_key).toBe(id);
    expect((req.body.tools as { name: string }[]).map((t) => t.name)).toEqual(['read_file', 'list_dir', 'grep']);
    const input = inputOf(req);
    expect(input.map((i) => i.type)).not.toContain('additional_tools');
    expect(input.map((i) => i.type)).not.toContain('reasoning');
    const lite = inputOf(responses()[1]!);
    expect(input[0]).toEqual(lite[1]); // the instructions message, unchanged
    expect(input[1]).toEqual(lite[2]); // AGENTS.md + environment context, unchanged
    // resuming again with gpt-5.5 replays the gpt-5.5 request byte for byte
    fake.push({ kind: 'sse', events: finalAnswer('Again.') });
    expect((await runCli(['run', '--resume', id, '-m', 'gpt-5.5', '-C', ws, 'again'], { env: env() })).code).toBe(0);
    expect(JSON.stringify(inputOf(responses()[3]!).slice(0, input.length))).toBe(JSON.stringify(input));
  });

  it('without -m a resume keeps the session model and effort', async () => {
    const id = await firstRun();
    fake.push({ kind: 'sse', events: finalAnswer('Same model.') });
    const r = await runCli(['run', '--resume', id, '--json', '-C', ws, 'q'], { env: env({ KOLEGA_MODEL: 'gpt-5.5' }) });
    expect(r.code).toBe(0);
    expect(responses()[2]!.body.model).toBe('gpt-6.2-sol');
    expect(responses()[2]!.body.reasoning).toEqual(responses()[0]!.body.reasoning);
  });
});

describe('kolega sessions list | show | rm | prune', () => {
  it('list: this workspace by default, --all, --json (schema), --ids; most recent first', async () => {
    const a = await firstRun();
    fake.push({ kind: 'sse', events: textAnswer('elsewhere') });
    const other = await runCli(['run', '--json', '-C', work.dir, 'another workspace'], { env: apiEnv() });
    const b = startedOf(other.stdout).session_id as string;
    const mine = await runCli(['sessions', 'list', '-C', ws], { env: env() });
    expect(mine.code).toBe(0);
    expect(mine.stdout).toMatch(new RegExp(`^${a}  ${WHEN}  +1 turn   gpt-6.2-sol  What does note.txt say\\?\\n$`));
    const all = await runCli(['sessions', 'list', '--all', '--json'], { env: env() });
    expect(all.code).toBe(0);
    const doc = parseDocument<{
      workspace: null;
      sessions: { id: string; cwd: string; turns: number; model: string; bytes: number }[];
    }>('sessions', all.stdout);
    expect(doc.workspace).toBeNull();
    expect(doc.sessions.map((s) => s.id)).toEqual([b, a]);
    expect(doc.sessions[1]).toMatchObject({ cwd: ws, turns: 1, model: 'gpt-6.2-sol' });
    expect((await runCli(['sessions', 'list', '--all', '--ids'], { env: env() })).stdout).toBe(`${b}\n${a}\n`);
    const none = await runCli(['sessions', 'list', '-C', path.join(ws, '..', '..')], { env: env() });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/no sessions for/);
  });

  it('show: prompts, tool calls, answers and usage; --json gives every item (schema)', async () => {
    const id = await firstRun();
    const text = await runCli(['sessions', 'show', id.slice(0, 10)], { env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`session ${id}`);
    // Local time with a relative part, as `auth status` prints times; --json keeps RFC 3339.
    expect(text.stdout).toMatch(new RegExp(`\\n  created   ${WHEN}\\n`));
    expect(text.stdout).toMatch(new RegExp(`\\n## turn 1  ${WHEN}  `));
    expect(text.stdout).not.toMatch(/\d\dZ/);
    expect(text.stdout).toContain('> What does note.txt say?');
    expect(text.stdout).toContain('-> read_file {"path":"note.txt"}');
    expect(text.stdout).toContain('<- ');
    expect(text.stdout).toContain('It says hi-from-tool.');
    expect(text.stdout).toMatch(/\[completed; 20 in \(4 cached\), 10 out\]/);
    const json = await runCli(['sessions', 'show', id, '--json'], { env: env() });
    const doc = parseDocument<{
      session: { id: string };
      turns: Record<string, unknown>[];
      items: { direction: string; lead?: string; item: Record<string, unknown> }[];
    }>('sessions', json.stdout);
    expect(doc.session.id).toBe(id);
    expect(doc.turns).toEqual([
      expect.objectContaining({
        turn: 1,
        prompt: 'What does note.txt say?',
        status: 'completed',
        final_text: 'It says hi-from-tool.',
      }),
    ]);
    expect(doc.items.map((i) => [i.direction, i.lead ?? i.item.type])).toEqual([
      ['sent', 'tools'],
      ['sent', 'instructions'],
      ['sent', 'context'],
      ['sent', 'message'],
      ['received', 'reasoning'],
      ['received', 'message'],
      ['received', 'function_call'],
      ['sent', 'function_call_output'],
      ['received', 'reasoning'],
      ['received', 'message'],
    ]);
    // the reasoning as received, encrypted content included
    expect(doc.items[4]!.item).toMatchObject({ id: 'rs_1', encrypted_content: 'ENC_1' });
  });

  it('rm removes a session; an unknown id exits 2', async () => {
    const id = await firstRun();
    const r = await runCli(['sessions', 'rm', id], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(existsSync(sessionFile(id))).toBe(false);
    const again = await runCli(['sessions', 'rm', id], { env: env() });
    expect(again.code).toBe(2);
  });

  it('prune --older-than removes old sessions only; --dry-run and --json report without removing', async () => {
    const old = await firstRun();
    const fresh = await firstRun();
    const { utimesSync } = await import('node:fs');
    const past = new Date(Date.now() - 3 * 86_400_000);
    utimesSync(sessionFile(old), past, past);
    const dry = await runCli(['sessions', 'prune', '--older-than', '2d', '--dry-run', '--json'], { env: env() });
    expect(parseDocument('sessions', dry.stdout)).toEqual({ schema_version: 1, dry_run: true, removed: [old] });
    expect(existsSync(sessionFile(old))).toBe(true);
    const dryText = await runCli(['sessions', 'prune', '--older-than', '2d', '--dry-run'], { env: env() });
    expect(dryText.code).toBe(0);
    expect(dryText.stdout).toBe(`would remove ${old}\n`);
    expect(existsSync(sessionFile(old))).toBe(true);
    const r = await runCli(['sessions', 'prune', '--older-than', '2d'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${old}\n`);
    expect(existsSync(sessionFile(old))).toBe(false);
    expect(existsSync(sessionFile(fresh))).toBe(true);
    const bad = await runCli(['sessions', 'prune', '--older-than', 'soon'], { env: env() });
    expect(bad.code).toBe(2);
  });
});

describe('damaged session files', () => {
  const DIR_ID = '01900000-0000-7000-8000-00000000000d';
  const NUL_ID = '01900000-0000-7000-8000-00000000000e';
  const V9_ID = '01900000-0000-7000-8000-00000000000f';

  it('sessions list --all warns once per skipped file on stderr (not stdout); rm refuses a directory', async () => {
    mkdirSync(sessionsDir(), { recursive: true });
    mkdirSync(sessionFile(DIR_ID));
    writeFileSync(path.join(sessionFile(DIR_ID), 'mine'), 'x');
    writeFileSync(sessionFile(NUL_ID), Buffer.alloc(512));
    writeFileSync(sessionFile(V9_ID), JSON.stringify({ version: 9, id: V9_ID }) + '\n');
    const r = await runCli(['sessions', 'list', '--all'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('skipped');
    for (const id of [DIR_ID, NUL_ID, V9_ID]) {
      const lines = r.stderr.split('\n').filter((l) => l.includes(`skipped ${sessionFile(id)}`));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`kolega sessions rm ${id}`);
    }
    expect(r.stderr).toContain('is a directory');
    const rm = await runCli(['sessions', 'rm', DIR_ID], { env: env() });
    expect(rm.code).toBe(2);
    expect(rm.stderr).toContain(`${sessionFile(DIR_ID)} is a directory`);
    expect(rm.stderr).not.toContain('EISDIR');
    expect(existsSync(path.join(sessionFile(DIR_ID), 'mine'))).toBe(true);
    expect((await runCli(['sessions', 'rm', NUL_ID], { env: env() })).code).toBe(0);
  });
});
