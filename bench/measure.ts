/**
 * Runs one command as a child process and measures it: wall time (spawn to exit), peak RSS (GNU
 * `/usr/bin/time -f %M` when present, else sampling /proc/PID/status VmHWM, marked approximate),
 * when the first answer text reached stdout, and when each numbered delta (`w<i> `) reached it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** How stdout is read for text timing. */
export type OutputKind = 'none' | 'text' | 'ndjson' | 'codex';

/** One measured run. */
export interface Sample {
  code: number | null;
  wallMs: number;
  /** Peak resident set size in MB, or undefined when it could not be measured. */
  rssMb?: number;
  /** ms from spawn to the first answer text on stdout. */
  firstTextMs?: number;
  /** `performance.now()` when delta i reached stdout. */
  deltaAt: number[];
  stdoutBytes: number;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';
let gnuTime: boolean | undefined;

/** True when GNU time (with `-f %M`) is available. */
export function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    gnuTime = false;
    if (existsSync(GNU_TIME)) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kolega-bench-'));
      try {
        const out = path.join(dir, 'probe');
        const r = spawnSyncQuiet(GNU_TIME, ['-f', '%M', '-o', out, 'true']);
        gnuTime = r === 0 && /^\d+\s*$/.test(readFileSync(out, 'utf8'));
      } catch {
        gnuTime = false;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return gnuTime;
}

function spawnSyncQuiet(cmd: string, args: string[]): number | null {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status;
}

/** Options of one run. */
export interface RunOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  output: OutputKind;
  /** Kill the child after this long. */
  timeoutMs?: number;
  /** Record every delta's arrival (paced streams); else only the first text, to keep the reader cheap. */
  everyDelta?: boolean;
}

/** Runs `cmd args` once. */
export function measure(cmd: string, args: string[], opts: RunOptions): Promise<Sample> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kolega-bench-'));
  const rssFile = path.join(dir, 'rss');
  const useTime = hasGnuTime();
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const started = performance.now();
  const child = spawn(file, argv, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const sample: Sample = { code: null, wallMs: 0, deltaAt: [], stdoutBytes: 0, stderr: '' };
  let vmHwmKb = 0;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) vmHwmKb = Math.max(vmHwmKb, Number(m[1]));
        } catch {
          // exited
        }
      }, 5);
  const scan = textScanner(opts.output, sample, started, opts.everyDelta === true);
  child.stdout.on('data', (chunk: Buffer) => {
    sample.stdoutBytes += chunk.length;
    scan(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (sample.stderr.length < 4000) sample.stderr += d;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      sample.wallMs = performance.now() - started;
      sample.code = code;
      clearTimeout(killer);
      if (poll) clearInterval(poll);
      if (useTime) {
        try {
          // GNU time prints "Command exited with non-zero status N" before the number then.
          const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
          if (Number.isFinite(kb) && kb > 0) sample.rssMb = kb / 1024;
        } catch {
          // no number
        }
      } else if (vmHwmKb > 0) {
        sample.rssMb = vmHwmKb / 1024;
      }
      rmSync(dir, { recursive: true, force: true });
      resolve(sample);
    });
  });
}

/** A stdout reader recording the first text and each `w<i> ` delta's arrival. */
function textScanner(kind: OutputKind, sample: Sample, started: number, everyDelta: boolean): (chunk: Buffer) => void {
  if (kind === 'none') return () => undefined;
  let done = false;
  let pending = '';
  let next = 0;
  const seen = (now: number) => {
    if (sample.firstTextMs === undefined) sample.firstTextMs = now - started;
  };
  if (kind === 'text') {
    // The text is the deltas concatenated: find `w<next> ` in order.
    return (chunk) => {
      const now = performance.now();
      if (chunk.length > 0) seen(now);
      if (!everyDelta) return;
      pending += chunk.toString('utf8');
      for (;;) {
        const marker = `w${next} `;
        const at = pending.indexOf(marker);
        if (at < 0) break;
        sample.deltaAt[next++] = now;
        pending = pending.slice(at + marker.length);
      }
      if (pending.length > 64) pending = pending.slice(-64);
    };
  }
  // NDJSON (kolega) or JSONL (codex): look at each line for answer text.
  return (chunk) => {
    if (done) return;
    const now = performance.now();
    pending += chunk.toString('utf8');
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
      if (kind === 'ndjson') {
        if (!line.startsWith('{"type":"text.delta"')) continue;
        seen(now);
        if (!everyDelta) {
          done = true;
          return;
        }
        const m = /"delta":"w(\d+) "/.exec(line);
        if (m) sample.deltaAt[Number(m[1])] = now;
      } else if (/"agent_message"|"text"/.test(line)) {
        seen(now); // codex prints the answer as one item at the end
      }
    }
  };
}

/** The median of `xs` (undefined for none). */
export function median(xs: number[]): number | undefined {
  return percentile(xs, 50);
}

/** The p-th percentile (nearest rank) of `xs`. */
export function percentile(xs: number[], p: number): number | undefined {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}
