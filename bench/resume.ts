/**
 * `npm run bench:resume` (also run by `npm run bench`): what resuming a session adds to a run
 * before its request leaves, for sessions of 50, 100, 200 and 400 turns (about 25 KB of items per
 * turn: 1.25, 2.5, 5 and 10 MB), against a new session. The time measured is from spawning
 * `kolega run` to the request's headers reaching a server on 127.0.0.1 (kolega serializes the whole
 * body first), with the CPU time kolega used up to then; the added cost is the difference of medians
 * (and of minimums), and its cost per MB should stay flat
 * (linear growth). Target (README "Performance"): 200 turns / 5 MB adds < 100 ms.
 *
 *   npm run bench:resume            # 7 runs per size
 *   npm run bench:resume -- --quick # 3 runs per size
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { textAnswer, toSse } from '../test/fakes/sse-events.js';
import { hasGnuTime, median } from './measure.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = process.env.KOLEGA_BENCH_BIN
  ? path.resolve(process.env.KOLEGA_BENCH_BIN)
  : path.join(REPO, 'bin', 'kolega');
const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 7;
const SIZES = [50, 100, 200, 400];
const KEY = 'bench-key';
const gnu = hasGnuTime();

// A server that notes when each request's headers arrive, and how much CPU kolega had used by then,
// then answers with a short stream.
let arrived: number | undefined;
let cpuAtRequest: number | undefined;
let kolegaPid: number | undefined;
const answer = Buffer.from(toSse(textAnswer('ok')));
const server = http.createServer((req, res) => {
  if (arrived === undefined) {
    arrived = performance.now();
    cpuAtRequest = kolegaPid === undefined ? undefined : cpuOf(kolegaPid);
  }
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(answer));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;

const home = mkdtempSync(path.join(os.tmpdir(), 'kolega-bench-resume-'));
const cwd = mkdtempSync(path.join(os.tmpdir(), 'kolega-bench-ws-'));
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NO_COLOR: '1',
  KOLEGA_HOME: home,
  OPENAI_API_KEY: KEY,
  OPENAI_BASE_URL: baseUrl,
  KOLEGA_MODEL: 'openai/gpt-5.5',
};

/** Writes a session of `turns` turns (~25 KB each) and returns its id. */
function makeSession(turns: number): string {
  const id = `01a237af-0000-7000-8000-${String(turns).padStart(12, '0')}`;
  const at = new Date().toISOString();
  const lines: string[] = [
    JSON.stringify({
      type: 'session',
      v: 1,
      id,
      created_at: at,
      cwd,
      provider: 'openai',
      model: 'gpt-5.5',
      effort: 'medium',
      sandbox: 'read-only',
      title: 'bench',
    }),
  ];
  const filler = (n: number, seed: number) => Buffer.alloc(n, String.fromCharCode(97 + (seed % 26))).toString();
  for (let t = 1; t <= turns; t++) {
    lines.push(
      JSON.stringify({
        type: 'turn',
        turn: t,
        at,
        provider: 'openai',
        model: 'gpt-5.5',
        effort: 'medium',
        sandbox: 'read-only',
        cwd,
        instructions: 'bench instructions',
      }),
    );
    lines.push(
      JSON.stringify({
        type: 'input',
        turn: t,
        item: {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: `question ${t}: ${filler(1000, t)}` }],
        },
      }),
    );
    lines.push(
      JSON.stringify({
        type: 'output',
        turn: t,
        item: {
          id: `rs_${t}`,
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: 'thinking' }],
          encrypted_content: filler(14_000, t + 1),
        },
      }),
    );
    lines.push(
      JSON.stringify({
        type: 'output',
        turn: t,
        item: {
          id: `fc_${t}`,
          type: 'function_call',
          status: 'completed',
          name: 'read_file',
          arguments: '{"path":"a.txt"}',
          call_id: `call_${t}`,
        },
      }),
    );
    lines.push(
      JSON.stringify({
        type: 'input',
        turn: t,
        item: { type: 'function_call_output', call_id: `call_${t}`, output: filler(4000, t + 2) },
      }),
    );
    lines.push(
      JSON.stringify({
        type: 'output',
        turn: t,
        item: {
          id: `msg_${t}`,
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: filler(5000, t + 3), annotations: [] }],
        },
      }),
    );
    const usage = {
      input_tokens: 100,
      cached_input_tokens: 0,
      output_tokens: 10,
      reasoning_output_tokens: 0,
      total_tokens: 110,
    };
    lines.push(
      JSON.stringify({
        type: 'turn_end',
        turn: t,
        at,
        status: 'completed',
        usage,
        context_tokens: 200 * t,
        final_text: 'x',
      }),
    );
  }
  mkdirSync(path.join(home, 'sessions'), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(home, 'sessions', `${id}.jsonl`), lines.join('\n') + '\n', { mode: 0o600 });
  return id;
}

/**
 * CPU time (ms) all threads of process `pid` have run so far: the sum of the first field of
 * /proc/PID/task/TID/schedstat (nanoseconds on a CPU; Linux, see the proc(5) man page). Undefined
 * where /proc does not have it. Unlike GNU time's 10 ms ticks, this resolves the few milliseconds a
 * resume adds, and it stops the clock when the request arrives rather than when the run ends.
 */
function cpuOf(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/** The pid of kolega itself: the child of GNU time when it wraps the run. */
function kolegaPidOf(pid: number): number | undefined {
  if (!gnu) return pid;
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    return kids[0] ? Number(kids[0]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One run: spawn-to-request wall time, CPU time up to the request (/proc schedstat) and the whole
 * run's CPU time (user + system, GNU time), ms.
 */
function timeToRequest(args: string[]): Promise<{ wall: number; cpuToRequest?: number; cpu?: number }> {
  arrived = undefined;
  cpuAtRequest = undefined;
  kolegaPid = undefined;
  const cpuFile = path.join(home, 'cpu.txt');
  const kolega = [process.execPath, BIN, 'run', '--no-stdin', '--no-project-doc', '-C', cwd, ...args, 'hi'];
  const argv = gnu ? ['/usr/bin/time', '-f', '%U %S', '-o', cpuFile, ...kolega] : kolega;
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
  // GNU time forks kolega at once; look it up as soon as it exists (before it can reach the server).
  const findPid = () => {
    if (child.pid === undefined || arrived !== undefined) return;
    kolegaPid = kolegaPidOf(child.pid);
    if (kolegaPid === undefined) setImmediate(findPid);
  };
  findPid();
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      if (code !== 0 || arrived === undefined) return reject(new Error(`kolega exited ${code}: ${err.trim()}`));
      const cpu = gnu ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number) : undefined;
      resolve({
        wall: arrived - t0,
        ...(cpuAtRequest !== undefined ? { cpuToRequest: cpuAtRequest } : {}),
        ...(cpu ? { cpu: (cpu[0]! + cpu[1]!) * 1000 } : {}),
      });
    }),
  );
}

const cases: { label: string; turns: number; mb: number; args: string[] }[] = [
  { label: 'new session', turns: 0, mb: 0, args: ['--ephemeral'] },
];
for (const turns of SIZES) {
  const id = makeSession(turns);
  const mb = statSync(path.join(home, 'sessions', `${id}.jsonl`)).size / 1e6;
  // --ephemeral: the session is read and replayed but not appended to, so every run resumes the same size.
  cases.push({ label: `resume ${turns} turns`, turns, mb, args: ['--ephemeral', '--resume', id] });
}
await timeToRequest(['--ephemeral']); // warm the file cache
type Metric = 'wall' | 'cpuToRequest' | 'cpu';
const samples = new Map<string, Record<Metric, number[]>>();
for (let r = 0; r < RUNS; r++) {
  for (const c of cases) {
    const s = await timeToRequest(c.args);
    const m = samples.get(c.label) ?? { wall: [], cpuToRequest: [], cpu: [] };
    m.wall.push(s.wall);
    if (s.cpuToRequest !== undefined) m.cpuToRequest.push(s.cpuToRequest);
    if (s.cpu !== undefined) m.cpu.push(s.cpu);
    samples.set(c.label, m);
  }
}
server.close();
rmSync(home, { recursive: true, force: true });
rmSync(cwd, { recursive: true, force: true });

const load = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
process.stdout.write(
  `\nresume cost (${RUNS} interleaved runs per case; ${os.cpus().length} CPUs, load average ${load} at the end; Node ${process.version})\n` +
    'wall: spawn to the request headers at the server; CPU to request: all threads of kolega up to then (/proc schedstat);\n' +
    'CPU run: user + system of the whole run (GNU time, 10 ms resolution). Cells: median (min); added: difference of medians (of minimums)\n\n',
);
process.stdout.write(
  '| case | size | wall to request | added wall | CPU to request | added CPU | added CPU per MB | CPU run |\n|---|---|---|---|---|---|---|---|\n',
);
const stat = (label: string, m: Metric) => {
  const xs = samples.get(label)![m];
  return { med: median(xs), min: xs.length ? Math.min(...xs) : undefined };
};
const ms = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(0)} ms`);
const pair = (s: { med?: number; min?: number }) => (s.med === undefined ? '-' : `${ms(s.med)} (${ms(s.min)})`);
const diff = (a: { med?: number; min?: number }, b: { med?: number; min?: number }) =>
  a.med === undefined || b.med === undefined ? '-' : `${ms(a.med - b.med)} (${ms(a.min! - b.min!)})`;
const baseWall = stat('new session', 'wall');
const baseCpu = stat('new session', 'cpuToRequest');
for (const c of cases) {
  const wall = stat(c.label, 'wall');
  const cpu = stat(c.label, 'cpuToRequest');
  const perMb =
    c.turns && cpu.med !== undefined && baseCpu.med !== undefined
      ? `${((cpu.med - baseCpu.med) / c.mb).toFixed(1)} ms`
      : '';
  const cells = [
    c.label,
    `${c.mb.toFixed(2)} MB`,
    pair(wall),
    c.turns ? diff(wall, baseWall) : '',
    pair(cpu),
    c.turns ? diff(cpu, baseCpu) : '',
    perMb,
    pair(stat(c.label, 'cpu')),
  ];
  process.stdout.write(`| ${cells.join(' | ')} |\n`);
}
const w200 = stat('resume 200 turns', 'wall');
const c200 = stat('resume 200 turns', 'cpuToRequest');
const addedWall = w200.med! - baseWall.med!;
const addedCpu = c200.med !== undefined && baseCpu.med !== undefined ? c200.med - baseCpu.med : undefined;
process.stdout.write(
  `\ntarget: resuming 200 turns / 5 MB adds < 100 ms: ${addedWall < 100 ? 'met' : 'MISSED'} on wall time (${addedWall.toFixed(0)} ms)` +
    (addedCpu === undefined ? '' : `, ${addedCpu < 100 ? 'met' : 'MISSED'} on CPU time (${addedCpu.toFixed(0)} ms)`) +
    '\n',
);
process.exit(0);
