/**
 * `edit_file` {path, old_string, new_string, replace_all?}: replace an exact piece of text in an
 * existing workspace file (workspace-write). The match is literal (no regex, no whitespace
 * folding); zero matches, or several without `replace_all`, is an error the model can act on.
 */
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../store/atomic-write.js';
import { textSize } from './text-size.js';
import { displayPath, resolveToolPath } from './paths.js';
import { assertWritable } from './protected-dirs.js';
import { errorResult, strArg } from './args.js';
import type { Tool } from './types.js';

/** Largest file edited, in bytes. */
export const EDIT_FILE_MAX_BYTES = 4 * 1024 * 1024;

/** Start offsets of the non-overlapping occurrences of `needle` in `hay`. */
export function findOccurrences(hay: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + needle.length)) out.push(i);
  return out;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The `edit_file` tool (workspace-write). */
export const editFileTool: Tool = {
  name: 'edit_file',
  level: 'workspace-write',
  description:
    'Replace old_string with new_string in an existing file of the workspace. old_string must match the file exactly ' +
    '(including whitespace and indentation) and be unique unless replace_all is true; include enough surrounding lines to make it unique.',
  parameters: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'File path, relative to the workspace root' },
      old_string: { type: 'string', description: 'The exact text to replace' },
      new_string: { type: 'string', description: 'The replacement text' },
      replace_all: { type: 'boolean', description: 'Replace every occurrence (default false)' },
    },
    required: ['path', 'old_string', 'new_string'],
    additionalProperties: false,
  },
  async run(args, ctx) {
    const p = strArg(args, 'path');
    const oldString = strArg(args, 'old_string');
    const newString = strArg(args, 'new_string');
    const replaceAll = args.replace_all === true;
    const real = resolveToolPath(ctx, p);
    assertWritable(ctx, real, p);
    const st = await stat(real).catch(() => undefined);
    if (!st) return errorResult(`${p} does not exist; use write_file to create it`);
    if (!st.isFile()) return errorResult(`${p} is not a regular file`);
    if (st.size > EDIT_FILE_MAX_BYTES)
      return errorResult(`${p} is ${st.size} bytes; edit_file handles files up to ${EDIT_FILE_MAX_BYTES}`);
    if (oldString === '') return errorResult('old_string is empty; use write_file to create or replace a whole file');
    if (oldString === newString) return errorResult('old_string and new_string are identical; nothing to change');
    const before = await readFile(real, 'utf8');
    if (before.includes('\0')) return errorResult(`${p} looks like a binary file`);
    const at = findOccurrences(before, oldString);
    if (at.length === 0) {
      const crlf =
        before.includes('\r\n') && oldString.includes('\n') && !oldString.includes('\r\n')
          ? ' (the file has CRLF line endings)'
          : '';
      return errorResult(
        `old_string was not found in ${p}${crlf}; it must match the file exactly, including whitespace and indentation (read the file first)`,
      );
    }
    if (at.length > 1 && !replaceAll) {
      const lines = at.slice(0, 10).map((o) => lineOf(before, o));
      return errorResult(
        `old_string occurs ${at.length} times in ${p} (lines ${lines.join(', ')}); include more surrounding text to make it unique, or set replace_all to true`,
      );
    }
    // split/join, not String.replace: `$&` and friends in new_string must stay literal.
    const after = replaceAll
      ? before.split(oldString).join(newString)
      : before.slice(0, at[0]) + newString + before.slice(at[0]! + oldString.length);
    writeFileAtomic(real, after, { createDirs: true });
    const b = textSize(before);
    const a = textSize(after);
    const removed = textSize(oldString).lines * at.length;
    const added = textSize(newString).lines * at.length;
    return {
      status: 'ok',
      output:
        `edited ${displayPath(ctx, real)}: replaced ${at.length} occurrence${at.length === 1 ? '' : 's'} (first at line ${lineOf(before, at[0]!)}), ` +
        `-${removed}/+${added} lines; now ${a.bytes} bytes, ${a.lines} lines (was ${b.bytes} bytes, ${b.lines} lines)`,
    };
  },
};
