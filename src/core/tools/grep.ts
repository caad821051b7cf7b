/** `grep` {pattern, path?, ignore_case?}: regular-expression search over workspace files. */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { displayPath, isProtected, resolveToolPath } from './paths.js';
import { errorResult, optStrArg, strArg } from './args.js';
import type { Tool, ToolContext } from './types.js';

/** Limits: matches reported, bytes per file searched, files visited. */
export const GREP_MAX_MATCHES = 200;
export const GREP_MAX_FILE_BYTES = 1024 * 1024;
export const GREP_MAX_FILES = 20_000;
const SKIP_DIRS = new Set(['.git', 'node_modules']);

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
    let re: RegExp;
    try {
      re = new RegExp(pattern, args.ignore_case === true ? 'i' : '');
    } catch (err) {
      return errorResult(`invalid regular expression: ${(err as Error).message}`);
    }
    const start = resolveToolPath(ctx, optStrArg(args, 'path') ?? '.');
    const out: string[] = [];
    let files = 0;
    const visit = async (file: string): Promise<void> => {
      if (out.length >= GREP_MAX_MATCHES || files >= GREP_MAX_FILES || ctx.signal.aborted) return;
      if (isProtected(ctx, file)) return;
      const st = await stat(file).catch(() => undefined);
      if (!st) return;
      if (st.isDirectory()) {
        const entries = await readdir(file).catch(() => [] as string[]);
        for (const e of entries.sort()) {
          if (SKIP_DIRS.has(e)) continue;
          await visit(path.join(file, e));
        }
        return;
      }
      if (!st.isFile() || st.size > GREP_MAX_FILE_BYTES) return;
      files++;
      const data = await readFile(file).catch(() => undefined);
      if (!data || data.includes(0)) return;
      const lines = data.toString('utf8').split('\n');
      for (let i = 0; i < lines.length && out.length < GREP_MAX_MATCHES; i++) {
        if (re.test(lines[i]!)) out.push(`${displayPath(ctx, file)}:${i + 1}: ${lines[i]!.slice(0, 300)}`);
      }
    };
    await visit(start);
    if (out.length === 0) return { status: 'ok', output: 'no matches' };
    if (out.length >= GREP_MAX_MATCHES) out.push(`[... stopped at ${GREP_MAX_MATCHES} matches]`);
    return { status: 'ok', output: out.join('\n') };
  },
};

export type { ToolContext };
