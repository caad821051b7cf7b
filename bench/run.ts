/**
 * `npm run bench`: kolega's start-up and streaming figures side by side in one run (README "Performance"),
 * all against a local server on 127.0.0.1. Prints medians over several runs, the per-delta cost at
 * 2,000 / 10,000 / 100,000 deltas (linearity), the added latency per delta on a paced stream, the
 * optional `codex exec --json` peer, the bytes uploaded per request of a 20-call tool loop on a
 * 1 MB conversation over HTTP and over the WebSocket, and each target with its verdict.
 *
 *   npm run bench                 # ~1 minute
 *   npm run bench -- --quick      # fewer runs
 *   npm run bench -- --out f.json # also write the figures as JSON
 *   KOLEGA_BENCH_BIN=../other/bin/kolega npm run bench   # measure another build the same way
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codexSetup, findCodex } from './codex.js';
import { BENCH_KEY, startBenchServer, type BenchStream } from './fake.js';
import { hasGnuTime, measure, median, percentile, type OutputKind, type Sample } from './measure.js';
import { printReport, type Figures } from './report.js';
import { measureUploads } from './upload.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
// KOLEGA_BENCH_BIN measures another checkout's launcher (e.g. the commit before a change).
const BIN = process.env.KOLEGA_BENCH_BIN
  ? path.resolve(process.env.KOLEGA_BENCH_BIN)
  : path.join(REPO, 'bin', 'kolega');
const NODE = process.execPath;
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const outIndex = argv.indexOf('--out');
const outFile = outIndex >= 0 ? argv[outIndex + 1] : undefined;
const scale = quick ? 0.4 : 1;
const runs = (n: number) => Math.max(quick ? 2 : 3, Math.round(n * scale));

/** One benchmarked command. */
interface Case {
  id: string;
  label: string;
  cmd: string;
  args: string[];
  output: OutputKind;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const server = await startBenchServer();
const home = mkdtempSync(path.join(os.tmpdir(), 'kolega-bench-home-'));
// Only what kolega needs: no proxies (everything is on 127.0.0.1), no developer credentials.
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NO_COLOR: '1',
  KOLEGA_HOME: home,
  OPENAI_API_KEY: BENCH_KEY,
  OPENAI_BASE_URL: server.baseUrl,
};
const kolega = (id: string, label: string, args: string[], output: OutputKind = 'none'): Case => ({
  id,
  label,
  cmd: NODE,
  args: [BIN, ...args],
  output,
});
const samples = new Map<string, Sample[]>();
const labels = new Map<string, string>();
const notes: string[] = [];

async function runGroup(
  cases: Case[],
  stream: BenchStream | undefined,
  n: number,
  onSample?: (c: Case, s: Sample) => void,
): Promise<void> {
  if (stream) server.setStream(stream);
  for (const c of cases) labels.set(c.id, c.label);
  for (let r = 0; r < n; r++) {
    for (const c of cases) {
      // Interleaved, so background load hits every case alike.
      const s = await measure(c.cmd, c.args, {
        env: c.env ?? env,
        cwd: c.cwd ?? REPO,
        output: c.output,
        everyDelta: stream?.kind === 'paced',
      });
      if (s.code !== 0 && !samples.has(`${c.id}:failed`)) {
        samples.set(`${c.id}:failed`, []);
        notes.push(`${c.label}: exit ${s.code}: ${s.stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 300)}`);
      }
      const list = samples.get(c.id) ?? [];
      list.push(s);
      samples.set(c.id, list);
      onSample?.(c, s);
    }
  }
}

process.stderr.write(
  `bench: ${BIN}; server ${server.baseUrl}; peak RSS via ${hasGnuTime() ? 'GNU time' : '/proc VmHWM sampling (approximate)'}\n`,
);

// Warm the file cache so the first measured run is not an outlier.
await measure(NODE, [BIN, '--version'], { env, output: 'none' });
server.setStream({ kind: 'burst', deltas: 2000 });
await measure(NODE, [BIN, 'run', '--json', '--no-stdin', 'hi'], { env, output: 'none' });

// 1. Start-up.
const startup: Case[] = [
  { id: 'floor', label: 'node -e 0', cmd: NODE, args: ['-e', '0'], output: 'none' },
  kolega('version', 'kolega --version', ['--version']),
  kolega('help', 'kolega --help', ['--help']),
];
const probe = await measure(NODE, [BIN, 'models', '--json'], { env, output: 'none' });
if (/unknown command/i.test(probe.stderr))
  notes.push('kolega models --json: skipped (the command does not exist on this branch yet)');
else startup.push(kolega('models', 'kolega models --json', ['models', '--json']));
process.stderr.write('bench: start-up\n');
await runGroup(startup, undefined, runs(15));

// 2. Throughput on burst streams (the whole body in one write).
const codexBin = findCodex(REPO);
const codex = codexBin ? codexSetup(server.baseUrl, env) : undefined;
const burst2k: Case[] = [
  kolega('json2k', 'kolega run --json, 2,000 deltas', ['run', '--json', '--no-stdin', 'hi'], 'ndjson'),
  kolega('text2k', 'kolega run (text), 2,000 deltas', ['run', '--no-stdin', 'hi'], 'text'),
];
if (codex && codexBin)
  burst2k.push({
    id: 'codex2k',
    label: 'codex exec --json, 2,000 deltas',
    cmd: codexBin,
    args: codex.args,
    env: codex.env,
    cwd: codex.cwd,
    output: 'codex',
  });
else
  notes.push(
    'codex exec --json: skipped (@openai/codex is not installed; issue 7 measured it at 875 ms wall, first text at 664 ms, 145 MB on these machines)',
  );
process.stderr.write('bench: 2,000 deltas\n');
await runGroup(burst2k, { kind: 'burst', deltas: 2000 }, runs(9));
codex?.cleanup();
process.stderr.write('bench: 10,000 deltas\n');
await runGroup(
  [kolega('json10k', 'kolega run --json, 10,000 deltas', ['run', '--json', '--no-stdin', 'hi'], 'ndjson')],
  { kind: 'burst', deltas: 10_000 },
  runs(5),
);
process.stderr.write('bench: 100,000 deltas\n');
await runGroup(
  [
    kolega('json100k', 'kolega run --json, 100,000 deltas', ['run', '--json', '--no-stdin', 'hi'], 'ndjson'),
    kolega('text100k', 'kolega run (text), 100,000 deltas', ['run', '--no-stdin', 'hi'], 'text'),
  ],
  { kind: 'burst', deltas: 100_000 },
  runs(5),
);

// 3. Added latency: one delta every 50 ms; compare when each was written and when it reached stdout.
const PACED = { kind: 'paced', deltas: quick ? 20 : 40, intervalMs: 50 } as const;
const latency = new Map<string, number[]>();
process.stderr.write('bench: latency per delta\n');
await runGroup(
  [
    kolega('latJson', `kolega run --json, ${PACED.deltas} x 50 ms`, ['run', '--json', '--no-stdin', 'hi'], 'ndjson'),
    kolega('latText', `kolega run (text), ${PACED.deltas} x 50 ms`, ['run', '--no-stdin', 'hi'], 'text'),
  ],
  PACED,
  quick ? 1 : 2,
  (c, s) => {
    const list = latency.get(c.id) ?? [];
    for (let i = 0; i < PACED.deltas; i++) {
      const sent = server.sentAt[i];
      const got = s.deltaAt[i];
      if (sent !== undefined && got !== undefined) list.push(got - sent);
    }
    latency.set(c.id, list);
  },
);

await server.close();
rmSync(home, { recursive: true, force: true });

// 4. Upload per request: a 20-call tool loop after resuming a 1 MB session, HTTP against the WebSocket.
process.stderr.write('bench: upload per request, 20 tool calls on 1 MB\n');
const uploads = await measureUploads(BIN);
for (const r of uploads.runs) if (r.exitCode !== 0) notes.push(`upload bench over ${r.transport}: exit ${r.exitCode}`);
if (server.rejected.length > 0)
  notes.push(
    `the bench server rejected ${server.rejected.length} request(s): ${server.rejected.slice(0, 3).join('; ')}`,
  );

const figures: Figures = {
  node: process.version,
  platform: `${os.type()} ${os.arch()}, ${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
  rssSource: hasGnuTime() ? 'GNU time' : '/proc VmHWM sampling (approximate)',
  cases: [...samples.entries()]
    .filter(([id]) => !id.endsWith(':failed'))
    .map(([id, list]) => ({
      id,
      label: labels.get(id) ?? id,
      runs: list.length,
      wallMs: median(list.map((s) => s.wallMs))!,
      minWallMs: Math.min(...list.map((s) => s.wallMs)),
      rssMb: median(list.flatMap((s) => (s.rssMb === undefined ? [] : [s.rssMb]))),
      firstTextMs: median(list.flatMap((s) => (s.firstTextMs === undefined ? [] : [s.firstTextMs]))),
      failures: list.filter((s) => s.code !== 0).length,
    })),
  latency: [...latency.entries()].map(([id, xs]) => ({
    id,
    label: id === 'latJson' ? 'kolega run --json' : 'kolega run (text)',
    count: xs.length,
    medianMs: median(xs),
    p95Ms: percentile(xs, 95),
    maxMs: Math.max(...xs),
  })),
  uploads,
  notes,
};
printReport(figures);
if (outFile) writeFileSync(outFile, JSON.stringify(figures, null, 2) + '\n');
process.exit(0);
