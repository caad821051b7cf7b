/**
 * Request items whose exact JSON text is already known, and the request body's serialization that
 * uses it. A resumed session's recorded items are read from its file as text; sending that text
 * as-is, instead of serializing the parsed item again, keeps the replayed prefix byte-identical by
 * construction and saves re-serializing megabytes of history on every resume (README "Performance").
 * The text is kept beside the item (a WeakMap), so an item stays a plain object everywhere else.
 */

const known = new WeakMap<object, string>();

/**
 * Notes `text` as the exact JSON of `item` (what `JSON.stringify(item)` gives, or the item's text
 * as recorded). The item must not be changed afterwards: the text would no longer match it.
 * @returns `item`
 */
export function withJsonText<T extends object>(item: T, text: string): T {
  known.set(item, text);
  return item;
}

/** The JSON text of one item: the known text, else `JSON.stringify` (`null` for `undefined`). */
export function itemJson(item: unknown): string {
  if (typeof item === 'object' && item !== null) {
    const text = known.get(item);
    if (text !== undefined) return text;
  }
  return (JSON.stringify(item) as string | undefined) ?? 'null';
}

/**
 * `JSON.stringify(body)` of a request body or WebSocket frame (same keys, same order, same bytes),
 * except that the items of a top-level `input` array are written with `itemJson`.
 */
export function requestJson(body: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    // JSON.stringify leaves out properties it cannot represent.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    const text = key === 'input' && Array.isArray(value) ? `[${value.map(itemJson).join(',')}]` : JSON.stringify(value);
    parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}
