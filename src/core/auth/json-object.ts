/** Parsing server JSON that must be an object (a `null`, number or array body is not one). */

/**
 * Parses `text` as a JSON object.
 * @throws SyntaxError when it is not JSON or not an object (callers treat both as a bad body)
 */
export function jsonObject(text: string): Record<string, unknown> {
  const v: unknown = JSON.parse(text);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SyntaxError('not a JSON object');
  return v as Record<string, unknown>;
}
