/**
 * Prints the bench figures: one table of every command, the per-delta cost (linearity), the added
 * latency per delta, the upload per request over HTTP and the WebSocket, and each target of issues
 * 7 and 17 with its verdict.
 */
import type { UploadFigures } from './upload.js';

/** Medians of one command. */
export interface CaseFigures {
  id: string;
  label: string;
  runs: number;
  wallMs: number;
  minWallMs: number;
  rssMb?: number;
  firstTextMs?: number;
  failures: number;
}

/** Latency of deltas from the server's write to kolega's stdout. */
export interface LatencyFigures {
  id: string;
  label: string;
  count: number;
  medianMs?: number;
  p95Ms?: number;
  maxMs: number;
}

/** Everything one bench run measured. */
export interface Figures {
  node: string;
  platform: string;
  rssSource: string;
  cases: CaseFigures[];
  latency: LatencyFigures[];
  /** Bytes uploaded per request of the tool loop, per transport (./upload.ts). */
  uploads?: UploadFigures;
  notes: string[];
}

/** Start-up goals (README "Performance"), as ratios to `node -e 0` and ms from process start. */
export const GOALS = { versionRatio: 1.15, helpRatio: 1.5, firstTextMs: 250 };

const kb = (n: number) =>
  n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;

/** The upload table: first request, follow-ups (min-max), total, per transport. */
function uploadLines(u: UploadFigures): string[] {
  const out = [
    '',
    `Bytes uploaded per request (ChatGPT backend, ${u.toolCalls} tool calls after resuming a ${kb(u.historyBytes)} session; request bodies / frames as received):`,
  ];
  for (const r of u.runs) {
    const rest = r.bytes.slice(1);
    const total = r.bytes.reduce((a, b) => a + b, 0);
    out.push(
      `  ${pad(r.transport, 10)} ${lpad(String(r.bytes.length), 3)} requests   first ${lpad(kb(r.bytes[0] ?? 0), 10)}   each follow-up ${lpad(kb(Math.min(...rest)), 10)} - ${lpad(kb(Math.max(...rest)), 10)}   total ${lpad(kb(total), 10)}`,
    );
  }
  return out;
}

/** `codex exec --json` on a local 2,000-delta stream as measured on the team's machines (README "Performance"). */
export const CODEX_REFERENCE = { wallMs: 875, firstTextMs: 664, rssMb: 145 };

const ms = (x: number | undefined) => (x === undefined ? '-' : `${Math.round(x)} ms`);
const mb = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(1)} MB`);
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

/** Per-delta wall cost between two stream sizes, in µs. */
function perDelta(a: CaseFigures | undefined, b: CaseFigures | undefined, na: number, nb: number): number | undefined {
  if (!a || !b) return undefined;
  return ((b.wallMs - a.wallMs) * 1000) / (nb - na);
}

/** Prints the report to stdout. */
export function printReport(f: Figures): void {
  const by = (id: string) => f.cases.find((c) => c.id === id);
  const floor = by('floor');
  const out: string[] = [];
  out.push('', `kolega bench — node ${f.node}, ${f.platform}; peak RSS via ${f.rssSource}`, '');
  out.push(
    `${pad('command', 38)}${lpad('runs', 5)}${lpad('wall (median)', 15)}${lpad('min', 9)}${lpad('peak RSS', 11)}${lpad('first text', 12)}  vs`,
  );
  for (const c of f.cases) {
    let vs = '';
    if (floor && ['version', 'help', 'models'].includes(c.id))
      vs = `${(c.wallMs / floor.wallMs).toFixed(2)}x node -e 0 (mins: ${(c.minWallMs / floor.minWallMs).toFixed(2)}x)`;
    if (c.id === 'json2k') {
      const codex = by('codex2k');
      vs = codex
        ? `${(c.wallMs / codex.wallMs).toFixed(2)}x codex`
        : `${(c.wallMs / CODEX_REFERENCE.wallMs).toFixed(2)}x codex (issue-7 figure)`;
    }
    if (c.id === 'text2k') vs = `${(c.wallMs / CODEX_REFERENCE.wallMs).toFixed(2)}x codex (issue-7 figure)`;
    const failed = c.failures > 0 ? ` (${c.failures} failed)` : '';
    out.push(
      `${pad(c.label, 38)}${lpad(String(c.runs), 5)}${lpad(ms(c.wallMs), 15)}${lpad(ms(c.minWallMs), 9)}${lpad(mb(c.rssMb), 11)}${lpad(ms(c.firstTextMs), 12)}  ${vs}${failed}`,
    );
  }
  const j2 = by('json2k');
  const j10 = by('json10k');
  const j100 = by('json100k');
  const t2 = by('text2k');
  const t100 = by('text100k');
  const a = perDelta(j2, j10, 2000, 10_000);
  const b = perDelta(j10, j100, 10_000, 100_000);
  const t = perDelta(t2, t100, 2000, 100_000);
  out.push('', 'Per-delta cost (difference of median walls; constant when wall time is linear in deltas):');
  out.push(`  --json  2k->10k: ${a?.toFixed(1) ?? '-'} µs/delta   10k->100k: ${b?.toFixed(1) ?? '-'} µs/delta`);
  out.push(`  text    2k->100k: ${t?.toFixed(1) ?? '-'} µs/delta`);
  out.push('', 'Added latency per delta (server write -> kolega stdout; one delta every 50 ms):');
  for (const l of f.latency)
    out.push(
      `  ${pad(l.label, 20)} median ${l.medianMs?.toFixed(2) ?? '-'} ms   p95 ${l.p95Ms?.toFixed(2) ?? '-'} ms   max ${l.maxMs.toFixed(2)} ms   (${l.count} deltas)`,
    );
  if (f.uploads) out.push(...uploadLines(f.uploads));

  const version = by('version');
  const codex = by('codex2k');
  const firstText = Math.max(j2?.firstTextMs ?? Infinity, t2?.firstTextMs ?? 0);
  const latMedian = Math.max(...f.latency.map((l) => l.medianMs ?? Infinity));
  const rss100k = Math.max(j100?.rssMb ?? Infinity, t100?.rssMb ?? 0);
  const linear = a !== undefined && b !== undefined && b <= a * 1.5 + 2;
  const verdict = (ok: boolean) => (ok ? 'met ' : 'GAP ');
  const help = by('help');
  out.push(
    '',
    'Targets (issues 7 and 17; on a loaded machine compare the ratios, and re-run: medians move by tens of ms):',
  );
  if (version && floor) {
    const ratio = version.wallMs / floor.wallMs;
    out.push(
      `  ${verdict(ratio <= GOALS.versionRatio)} kolega --version <= ${GOALS.versionRatio}x node -e 0: ${ratio.toFixed(2)}x of medians (${ms(version.wallMs)} vs ${ms(floor.wallMs)}), ${(version.minWallMs / floor.minWallMs).toFixed(2)}x of minimums`,
    );
  }
  if (help && floor) {
    const ratio = help.wallMs / floor.wallMs;
    out.push(
      `  ${verdict(ratio <= GOALS.helpRatio)} kolega --help <= ${GOALS.helpRatio}x node -e 0: ${ratio.toFixed(2)}x of medians (${ms(help.wallMs)} vs ${ms(floor.wallMs)}), ${(help.minWallMs / floor.minWallMs).toFixed(2)}x of minimums`,
    );
  }
  if (j2) {
    const ref = codex?.wallMs ?? CODEX_REFERENCE.wallMs;
    out.push(
      `  ${verdict(j2.wallMs <= 0.5 * ref)} run --json 2,000 deltas <= 0.5x codex exec --json: ${(j2.wallMs / ref).toFixed(2)}x (${ms(j2.wallMs)} vs ${ms(ref)}${codex ? '' : ', the issue-7 figure: codex is not installed here'})`,
    );
  }
  out.push(
    `  ${verdict(firstText <= GOALS.firstTextMs)} first text byte <= ${GOALS.firstTextMs} ms after start: ${ms(firstText)} (2,000 deltas, worst of --json and text)`,
  );
  out.push(
    `  ${verdict(latMedian < 2)} added latency per delta < 2 ms at the median: ${Number.isFinite(latMedian) ? latMedian.toFixed(2) + ' ms' : '-'}`,
  );
  out.push(
    `  ${verdict(rss100k < 80)} peak RSS < 80 MB at 100,000 deltas: ${mb(Number.isFinite(rss100k) ? rss100k : undefined)} (worst of --json and text)`,
  );
  out.push(
    `  ${verdict(linear)} wall time linear in deltas: ${a?.toFixed(1) ?? '-'} vs ${b?.toFixed(1) ?? '-'} µs/delta`,
  );
  const ws = f.uploads?.runs.find((r) => r.transport === 'websocket');
  const http = f.uploads?.runs.find((r) => r.transport === 'http');
  if (ws && http && ws.bytes.length > 1) {
    const follow = Math.max(...ws.bytes.slice(1));
    // Independent of the history: a follow-up frame is smaller than 1% of the conversation.
    out.push(
      `  ${verdict(follow < f.uploads!.historyBytes / 100)} WebSocket follow-up independent of the history: at most ${kb(follow)} per follow-up (HTTP: ${kb(Math.min(...http.bytes.slice(1)))}+)`,
    );
  }
  if (f.notes.length > 0) out.push('', 'Notes:', ...f.notes.map((n) => `  - ${n}`));
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
}
