/** `list_dir` {path?}: the entries of a workspace directory (directories end with `/`). */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { displayPath, isProtected, resolveToolPath } from './paths.js';
import { optStrArg } from './args.js';
import type { Tool } from './types.js';

/** Most entries listed; the rest are counted. */
export const LIST_DIR_MAX_ENTRIES = 1000;

/** The `list_dir` tool (read-only). */
export const listDirTool: Tool = {
  name: 'list_dir',
  level: 'read-only',
  description: 'List the entries of a directory in the workspace (default: the root). Directories end with "/".',
  parameters: {
    type: 'object',
    properties: { path: { type: 'string', description: 'Directory path, relative to the workspace root' } },
    additionalProperties: false,
  },
  async run(args, ctx) {
    const p = optStrArg(args, 'path') ?? '.';
    const real = resolveToolPath(ctx, p);
    const entries = await readdir(real, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      throw new Error(
        err.code === 'ENOENT'
          ? `${p} does not exist`
          : err.code === 'ENOTDIR'
            ? `${p} is not a directory`
            : err.message,
      );
    });
    const names = entries
      .filter((e) => !isProtected(ctx, path.join(real, e.name)))
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.isSymbolicLink() ? `${e.name}@` : e.name))
      .sort();
    const shown = names.slice(0, LIST_DIR_MAX_ENTRIES);
    let out = `${displayPath(ctx, real)}:\n${shown.join('\n')}`;
    if (names.length > shown.length) out += `\n[... ${names.length - shown.length} more entries]`;
    if (names.length === 0) out += '(empty)';
    return { status: 'ok', output: out };
  },
};
