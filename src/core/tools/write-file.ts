/** `write_file` {path, content}: create or replace a text file inside the workspace (workspace-write). */
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../store/atomic-write.js';
import { textSize } from './text-size.js';
import { displayPath, resolveToolPath } from './paths.js';
import { assertWritable } from './protected-dirs.js';
import { errorResult, strArg } from './args.js';
import type { Tool } from './types.js';

/** Largest content accepted in one call, in bytes (UTF-8). */
export const WRITE_FILE_MAX_BYTES = 4 * 1024 * 1024;

/** The `write_file` tool (workspace-write). */
export const writeFileTool: Tool = {
  name: 'write_file',
  level: 'workspace-write',
  description:
    'Create a file, or replace its whole content, inside the workspace. Missing parent directories are created. ' +
    'Prefer edit_file for changing part of an existing file.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'File path, relative to the workspace root' },
      content: { type: 'string', description: 'The complete new content of the file' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },
  async run(args, ctx) {
    const p = strArg(args, 'path');
    const content = strArg(args, 'content');
    const real = resolveToolPath(ctx, p);
    assertWritable(ctx, real, p);
    const after = textSize(content);
    if (after.bytes > WRITE_FILE_MAX_BYTES)
      return errorResult(`content is ${after.bytes} bytes; the limit is ${WRITE_FILE_MAX_BYTES}`);
    const st = await stat(real).catch(() => undefined);
    if (st?.isDirectory()) return errorResult(`${p} is a directory`);
    if (st && !st.isFile()) return errorResult(`${p} is not a regular file`);
    let before: { bytes: number; lines: number } | undefined;
    if (st) before = textSize(await readFile(real, 'utf8'));
    writeFileAtomic(real, content, { createDirs: true });
    const shown = displayPath(ctx, real);
    const summary = `${after.bytes} bytes, ${after.lines} lines`;
    return {
      status: 'ok',
      output: before
        ? `replaced ${shown}: ${summary} (was ${before.bytes} bytes, ${before.lines} lines)`
        : `created ${shown}: ${summary}`,
    };
  },
};
