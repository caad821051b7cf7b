/** Size facts of a text, for the "what changed" part of a write tool's result. */

/** Size facts of a text: bytes (UTF-8) and lines (a trailing newline does not start a new line). */
export interface TextSize {
  bytes: number;
  lines: number;
}

/** Measures `text` for the "what changed" part of a write tool's result. */
export function textSize(text: string): TextSize {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (text === '') return { bytes, lines: 0 };
  const newlines = text.split('\n').length - 1;
  return { bytes, lines: text.endsWith('\n') ? newlines : newlines + 1 };
}
