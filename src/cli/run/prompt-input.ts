/**
 * The prompt of `kolega run` from arguments and stdin (docs/design.md "kolega run"):
 * - no args, or the single arg `-`: stdin is the prompt, read to EOF;
 * - with args: stdin is appended after a blank line when it is a file, or a pipe that delivers data
 *   or EOF within `STDIN_GRACE_MS`; a pipe that stays silent is ignored with a note (an inherited,
 *   never-closed stdin must not hang CI: docs/design.md "kolega run");
 * - `--stdin` waits for stdin regardless; `--no-stdin` never reads it;
 * - UTF-16 with a byte-order mark is decoded; invalid UTF-8 is replaced with a note giving the
 *   offset of the first bad byte (./stdin-decode.ts).
 */
import { fstatSync } from 'node:fs';
import { KolegaError } from '../../core/errors.js';
import { decodeStdin } from './stdin-decode.js';

/** How long a silent stdin pipe may take to show data or EOF before it is ignored, in ms. */
export const STDIN_GRACE_MS = 500;
/** Largest prompt accepted, in bytes (a turn's context is ~272k tokens, about 1 MiB of text). */
export const MAX_PROMPT_BYTES = 4 * 1024 * 1024;

/** Where the prompt came from and what to tell the user. */
export interface PromptResult {
  prompt: string;
  notes: string[];
}

type StdinKind = 'tty' | 'file' | 'pipe' | 'dir' | 'none';

function stdinKind(stdin: NodeJS.ReadableStream & { isTTY?: boolean; fd?: number }): StdinKind {
  if (stdin.isTTY) return 'tty';
  let st: ReturnType<typeof fstatSync>;
  try {
    st = fstatSync(typeof stdin.fd === 'number' ? stdin.fd : 0);
  } catch {
    return 'none';
  }
  if (st.isDirectory()) return 'dir';
  if (st.isFile() || st.isCharacterDevice()) return 'file'; // /dev/null reads EOF at once
  return 'pipe';
}

/** Reads `stdin` to EOF as bytes, failing above the prompt limit. */
function readAll(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // EOF may already have been seen while waiting for the first byte.
    if ((stdin as NodeJS.ReadStream).readableEnded) return resolve(Buffer.alloc(0));
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > MAX_PROMPT_BYTES) {
        cleanup();
        (stdin as NodeJS.ReadStream).destroy?.();
        reject(tooLarge(size));
        return;
      }
      chunks.push(b);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new KolegaError('usage', 'stdin_unreadable', `cannot read stdin: ${err.message}`));
    };
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
  });
}

/** Waits up to `ms` for the first byte or EOF; @returns false when the pipe stayed silent. */
function waitReadable(stdin: NodeJS.ReadableStream, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = stdin as NodeJS.ReadStream;
    if (s.readableEnded || (s.readableLength ?? 0) > 0) return resolve(true);
    const timer = setTimeout(() => {
      s.off('readable', onReady);
      s.off('end', onReady);
      resolve(false);
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      s.off('readable', onReady);
      s.off('end', onReady);
      resolve(true);
    };
    s.on('readable', onReady);
    s.on('end', onReady);
  });
}

function tooLarge(size: number): KolegaError {
  return new KolegaError(
    'usage',
    'prompt_too_large',
    `the prompt is larger than ${MAX_PROMPT_BYTES} bytes (got at least ${size})`,
    {
      hint: 'pass a smaller input, or let the model read files with its tools',
    },
  );
}

function decode(buf: Buffer, notes: string[]): string {
  const { text, note } = decodeStdin(buf);
  if (note) notes.push(note);
  return text;
}

/**
 * Builds the prompt.
 * @param args positional arguments
 * @param mode `--stdin` (true), `--no-stdin` (false), or neither (undefined)
 * @throws KolegaError(usage, `empty_prompt` | `prompt_too_large` | `stdin_unreadable`)
 */
export async function readPrompt(
  args: string[],
  mode: boolean | undefined,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; fd?: number },
): Promise<PromptResult> {
  const notes: string[] = [];
  let stdinIsTerminal = false;
  const fromStdinOnly = args.length === 0 || (args.length === 1 && args[0] === '-');
  const argText = fromStdinOnly ? '' : args.join(' ');
  let stdinText = '';
  if (mode !== false) {
    const kind = stdinKind(stdin);
    stdinIsTerminal = kind === 'tty' && mode !== true;
    let read = false;
    // A directory cannot be read as a prompt (`kolega run - < somedir`): say so rather than "empty".
    if (kind === 'dir' && (mode === true || fromStdinOnly))
      throw new KolegaError('usage', 'stdin_unreadable', 'stdin is a directory, not a prompt', {
        hint: 'redirect a file (kolega run - < file), pipe a prompt, or pass it as arguments',
      });
    if (mode === true || (fromStdinOnly && kind !== 'tty')) read = kind !== 'none';
    else if (kind === 'file') read = true;
    else if (kind === 'pipe') {
      read = await waitReadable(stdin, STDIN_GRACE_MS);
      if (!read) {
        notes.push(
          `stdin is a pipe that sent nothing within ${STDIN_GRACE_MS} ms; ignoring it (use --stdin to wait, --no-stdin to silence this)`,
        );
        (stdin as NodeJS.ReadStream).destroy?.();
      }
    }
    if (read) stdinText = decode(await readAll(stdin), notes);
  }
  const prompt = argText && stdinText.trim() !== '' ? `${argText}\n\n${stdinText}` : argText || stdinText;
  if (prompt.trim() === '' && fromStdinOnly && stdinIsTerminal) {
    throw new KolegaError('usage', 'empty_prompt', 'no prompt: stdin is a terminal, so it was not read', {
      hint: 'pipe a prompt (kolega run < file), pass it as arguments, or use --stdin to type it (end with Ctrl-D)',
    });
  }
  if (prompt.trim() === '') {
    throw new KolegaError('usage', 'empty_prompt', 'the prompt is empty', {
      hint: 'pass the prompt as arguments or on stdin, e.g. kolega run "explain this" < file',
    });
  }
  const bytes = Buffer.byteLength(prompt);
  if (bytes > MAX_PROMPT_BYTES) throw tooLarge(bytes);
  return { prompt, notes };
}
