/**
 * `grep` {pattern, path?, ignore_case?}: regular-expression search over workspace files.
 * Confinement: every entry of the walk is checked, symlinks are resolved and followed only when
 * their target stays inside the workspace (and is not the credentials file). The matching runs in
 * a worker thread: a catastrophic pattern such as `(a+)+$` cannot block the run, and the worker is
 * terminated on abort (SIGINT, --timeout) or after `GREP_TIME_LIMIT_MS`.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { displayPath, isProtected, PathDenied, resolveToolPath } from './paths.js';
import { errorResult, optStrArg, strArg } from './args.js';
import type { Tool, ToolContext } from './types.js';

/** Most matches reported. */
export const GREP_MAX_MATCHES = 200;
/** Largest file searched, in bytes. */
export const GREP_MAX_FILE_BYTES = 1024 * 1024;
/** Most files searched. */
export const GREP_MAX_FILES = 20_000;
/** Longest a search may run, in ms. */
export const GREP_TIME_LIMIT_MS = 20_000;
const MAX_LINE_CHARS = 300;
const SKIP_DIRS = new Set(['.git', 'node_modules']);

/** The matcher, run with `eval` in a worker (plain CommonJS so it needs no build step). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { pattern, flags, files, maxMatches, maxLine } = workerData;
const re = new RegExp(pattern, flags);
const out = [];
// The first maxLine UTF-16 units of s, without splitting a surrogate pair (see utf8-cut.ts).
const cut = (s) => { if (s.length <= maxLine) return s; const c = s.charCodeAt(maxLine - 1); return s.slice(0, c >= 0xd800 && c <= 0xdbff ? maxLine - 1 : maxLine); };
for (const [file, shown] of files) {
  if (out.length >= maxMatches) break;
  let data;
  try { data = readFileSync(file); } catch { continue; }
  if (data.includes(0)) continue;
  const lines = data.toString('utf8').split('\\n');
  for (let i = 0; i < lines.length && out.length < maxMatches; i++) {
    if (re.test(lines[i])) out.push(shown + ':' + (i + 1) + ': ' + cut(lines[i]));
  }
}
parentPort.postMessage(out);
`;

/** Collects the regular files under `start` (a confined real path): [real path, shown path]. */
async function collectFiles(ctx: ToolContext, start: string): Promise<[string, string][]> {
  const files: [string, string][] = [];
  const seenDirs = new Set<string>();
  const visit = async (real: string): Promise<void> => {
    if (files.length >= GREP_MAX_FILES || ctx.signal.aborted || isProtected(ctx, real)) return;
    const st = await stat(real).catch(() => undefined);
    if (!st) return;
    if (st.isFile()) {
      if (st.size <= GREP_MAX_FILE_BYTES) files.push([real, displayPath(ctx, real)]);
      return;
    }
    if (!st.isDirectory() || seenDirs.has(real)) return; // FIFOs, sockets, devices: never opened
    seenDirs.add(real);
    const entries: Dirent[] = await readdir(real, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (SKIP_DIRS.has(e.name)) continue;
      const child = path.join(real, e.name);
      if (!e.isSymbolicLink()) {
        await visit(child);
        continue;
      }
      try {
        await visit(resolveToolPath(ctx, child)); // a link leaving the workspace is skipped
      } catch (err) {
        if (!(err instanceof PathDenied)) throw err;
      }
    }
  };
  await visit(start);
  return files;
}

/** Runs the matcher in a worker; @returns the match lines, or a string explaining why it stopped. */
function matchInWorker(
  ctx: ToolContext,
  pattern: string,
  flags: string,
  files: [string, string][],
): Promise<string[] | string> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { pattern, flags, files, maxMatches: GREP_MAX_MATCHES, maxLine: MAX_LINE_CHARS },
    });
    let settled = false;
    const finish = (value: string[] | string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      resolve(value);
    };
    const timer = setTimeout(
      () =>
        finish(
          `the search took longer than ${GREP_TIME_LIMIT_MS / 1000} s (a pattern with nested quantifiers?); simplify the pattern or narrow the path`,
        ),
      GREP_TIME_LIMIT_MS,
    );
    const onAbort = () => finish('the search was interrupted');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (out: string[]) => finish(out));
    worker.once('error', (err) => finish(`the search failed: ${err.message}`));
    worker.once('exit', () => finish('the search stopped unexpectedly'));
  });
}

/** The `grep` tool (read-only). */
export const grepTool: Tool = {
  name: 'grep',
  level: 'read-only',
  description:
    'Search files in the workspace for a JavaScript regular expression. Returns "path:line: text" lines. Skips .git and node_modules.',
  parameters: {
    type: 'object',
    properties: {
      pattern: { type: 'string', description: 'Regular expression' },
      path: { type: 'string', description: 'File or directory to search (default: the root)' },
      ignore_case: { type: 'boolean' },
    },
    required: ['pattern'],
    additionalProperties: false,
  },
  async run(args, ctx) {
    const pattern = strArg(args, 'pattern');
    const flags = args.ignore_case === true ? 'i' : '';
    try {
      new RegExp(pattern, flags);
    } catch (err) {
      return errorResult(`invalid regular expression: ${(err as Error).message}`);
    }
    const start = resolveToolPath(ctx, optStrArg(args, 'path') ?? '.');
    const files = await collectFiles(ctx, start);
    const out = await matchInWorker(ctx, pattern, flags, files);
    if (typeof out === 'string') return errorResult(out);
    if (out.length === 0) return { status: 'ok', output: 'no matches' };
    if (out.length >= GREP_MAX_MATCHES) out.push(`[... stopped at ${GREP_MAX_MATCHES} matches]`);
    return { status: 'ok', output: out.join('\n') };
  },
};
