/** `read_file` {path, offset?, limit?}: a text file of the workspace, by lines. */
import { open, stat } from 'node:fs/promises';
import { resolveToolPath } from './paths.js';
import { errorResult, intArg, strArg } from './args.js';
import { cutUtf8, utf8Complete } from './utf8-cut.js';
import type { Tool } from './types.js';

/** Largest file read at once, in bytes; larger files must be read by line ranges. */
export const READ_FILE_MAX_BYTES = 256 * 1024;

/** The `read_file` tool (read-only). */
export const readFileTool: Tool = {
  name: 'read_file',
  level: 'read-only',
  description:
    'Read a UTF-8 text file in the workspace. Returns its lines; use offset (1-based first line) and limit (line count) for large files.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'File path, relative to the workspace root' },
      offset: { type: 'integer', description: 'First line to return (1-based)', minimum: 1 },
      limit: { type: 'integer', description: 'Maximum number of lines', minimum: 1 },
    },
    required: ['path'],
    additionalProperties: false,
  },
  async run(args, ctx) {
    const p = strArg(args, 'path');
    const offset = intArg(args, 'offset') ?? 1;
    const limit = intArg(args, 'limit');
    if (offset < 1) return errorResult('offset is the first line to return, counting from 1');
    if (limit === 0) return errorResult('limit must be at least 1');
    const real = resolveToolPath(ctx, p);
    // Never open a FIFO, socket or device: open() could block the run beyond any timeout.
    const pre = await stat(real).catch(() => undefined);
    if (pre && !pre.isFile() && !pre.isDirectory()) return errorResult(`${p} is not a regular file`);
    const fh = await open(real, 'r').catch((err: NodeJS.ErrnoException) => {
      throw new Error(
        err.code === 'ENOENT'
          ? `${p} does not exist`
          : err.code === 'EISDIR'
            ? `${p} is a directory; use list_dir`
            : err.message,
      );
    });
    try {
      const st = await fh.stat();
      if (st.isDirectory()) return errorResult(`${p} is a directory; use list_dir`);
      const cap = Math.min(st.size, READ_FILE_MAX_BYTES * 4);
      const buf = Buffer.alloc(cap);
      const { bytesRead } = await fh.read(buf, 0, cap, 0);
      // A read that stopped at `cap` may end inside a character: drop that partial character.
      const data = st.size > cap ? utf8Complete(buf.subarray(0, bytesRead)) : buf.subarray(0, bytesRead);
      if (data.includes(0)) return errorResult(`${p} looks like a binary file`);
      const lines = data.toString('utf8').split('\n');
      const slice = lines.slice(offset - 1, limit === undefined ? undefined : offset - 1 + limit);
      let out = slice.join('\n');
      let truncated = st.size > cap;
      if (Buffer.byteLength(out) > READ_FILE_MAX_BYTES) {
        out = cutUtf8(out, READ_FILE_MAX_BYTES).text;
        truncated = true;
      }
      if (truncated) out += `\n[... truncated: read with offset/limit to see more of ${lines.length}+ lines]`;
      return { status: 'ok', output: out };
    } finally {
      await fh.close();
    }
  },
};
