/**
 * Parsing JSON files with errors a person can act on: what is wrong and at which byte, never the
 * offending bytes themselves (a file full of NUL bytes or escape sequences must not reach the
 * terminal raw). JSON.parse decides what is valid; jsonc-parser (run strict: no comments, no
 * trailing commas) only locates the first error, since V8's messages do not always carry a
 * position and quote the raw input.
 */
import { parse as locateErrors, ParseErrorCode, type ParseError } from 'jsonc-parser';

/** Words for jsonc-parser's error codes. */
const WHAT: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: 'unexpected character',
  [ParseErrorCode.InvalidNumberFormat]: 'malformed number',
  [ParseErrorCode.PropertyNameExpected]: 'property name expected',
  [ParseErrorCode.ValueExpected]: 'value expected',
  [ParseErrorCode.ColonExpected]: '":" expected',
  [ParseErrorCode.CommaExpected]: '"," expected',
  [ParseErrorCode.CloseBraceExpected]: '"}" expected',
  [ParseErrorCode.CloseBracketExpected]: '"]" expected',
  [ParseErrorCode.EndOfFileExpected]: 'unexpected content after the JSON value',
  [ParseErrorCode.InvalidCommentToken]: 'comments are not allowed',
  [ParseErrorCode.UnexpectedEndOfComment]: 'unterminated comment',
  [ParseErrorCode.UnexpectedEndOfString]: 'unterminated string',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'malformed number',
  [ParseErrorCode.InvalidUnicode]: 'malformed \\u escape',
  [ParseErrorCode.InvalidEscapeCharacter]: 'invalid escape in a string',
  [ParseErrorCode.InvalidCharacter]: 'control character in a string',
};

/** A JSON text that does not parse; `message` is one printable line naming the byte offset. */
export class JsonSyntaxError extends Error {
  /** Offset of the first error in the UTF-8 bytes of the text (0-based). */
  readonly byteOffset: number | undefined;
  constructor(message: string, byteOffset: number | undefined) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.byteOffset = byteOffset;
  }
}

/** `c` for a message: printable ASCII quoted, anything else as U+XXXX. */
function showChar(c: string): string {
  const cp = c.codePointAt(0)!;
  return cp >= 0x20 && cp < 0x7f ? `'${c}'` : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Describes why `text` is not JSON, e.g. `unexpected character U+0000 at byte 0` or `value
 * expected at byte 12 (end of the file)`. Contains no character of `text` other than printable ASCII.
 */
export function describeJsonError(text: string): string {
  if (text.trim() === '') return 'the file is empty';
  const errors: ParseError[] = [];
  locateErrors(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return 'not valid JSON';
  let at = first.offset;
  if (first.error === ParseErrorCode.InvalidCharacter) {
    // jsonc-parser points at the string; point at the control character itself.
    for (let i = first.offset; i < Math.min(text.length, first.offset + Math.max(first.length, 1)); i++) {
      if (text.charCodeAt(i) < 0x20) {
        at = i;
        break;
      }
    }
  }
  const byte = Buffer.byteLength(text.slice(0, at), 'utf8');
  const what = WHAT[first.error] ?? 'syntax error';
  if (at >= text.length) return `${what} at byte ${byte} (end of the file)`;
  const c = showChar(String.fromCodePoint(text.codePointAt(at)!));
  if (first.error === ParseErrorCode.InvalidSymbol || first.error === ParseErrorCode.InvalidCharacter)
    return `${what} ${c} at byte ${byte}`;
  return `${what} at byte ${byte} (found ${c})`;
}

/**
 * JSON.parse with a printable, positioned error.
 * @throws JsonSyntaxError (message from describeJsonError) when `text` is not JSON
 */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const described = describeJsonError(text);
    const m = /at byte (\d+)/.exec(described);
    throw new JsonSyntaxError(described, m ? Number(m[1]) : undefined);
  }
}
