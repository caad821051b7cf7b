/**
 * Request items whose exact JSON text is already known, and the request body's serialization that
 * uses it. A resumed session's recorded items are read from its file; sending their bytes as-is,
 * instead of serializing the parsed items again, keeps the replayed prefix byte-identical by
 * construction and saves re-serializing and re-encoding megabytes of history on every resume
 * (README "Performance"). The text is kept beside the item (a WeakMap), so an item stays a plain
 * object everywhere else.
 */

/** An item's known JSON: `prefix` then `text` (a string, or the bytes of all-ASCII text). */
interface KnownJson {
  prefix: string;
  text: string | Buffer;
}

const known = new WeakMap<object, KnownJson>();

/**
 * Notes `prefix + text` as the exact JSON of `item` (what `JSON.stringify(item)` gives, or the
 * item's text as recorded). `text` as bytes must be ASCII (it is also read back as Latin-1). The
 * item must not be changed afterwards: the text would no longer match it.
 * @returns `item`
 */
export function withJsonText<T extends object>(item: T, text: string | Buffer, prefix = ''): T {
  known.set(item, { prefix, text });
  return item;
}

function knownOf(item: unknown): KnownJson | undefined {
  return typeof item === 'object' && item !== null ? known.get(item) : undefined;
}

function stringify(value: unknown): string {
  return (JSON.stringify(value) as string | undefined) ?? 'null';
}

/** The JSON text of one item: the known text, else `JSON.stringify` (`null` for `undefined`). */
export function itemJson(item: unknown): string {
  const k = knownOf(item);
  if (!k) return stringify(item);
  return k.prefix + (typeof k.text === 'string' ? k.text : k.text.toString('latin1'));
}

/** The members of `body` as JSON.stringify writes them: `"key":` text, or the `input` array's items. */
function* members(body: Record<string, unknown>): Generator<string | { items: unknown[] }> {
  let first = true;
  for (const [key, value] of Object.entries(body)) {
    // JSON.stringify leaves out properties it cannot represent.
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    const head = `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (key === 'input' && Array.isArray(value)) {
      yield head;
      yield { items: value };
    } else yield head + JSON.stringify(value);
  }
}

/**
 * `JSON.stringify(body)` of a request body or WebSocket frame (same keys, same order, same text),
 * except that the items of a top-level `input` array are written with `itemJson`.
 */
export function requestJson(body: Record<string, unknown>): string {
  let out = '{';
  for (const m of members(body)) out += typeof m === 'string' ? m : `[${m.items.map(itemJson).join(',')}]`;
  return out + '}';
}

/**
 * The UTF-8 bytes of `requestJson(body)`, in pieces to be written in order: known item bytes are
 * the very bytes they were read as (never decoded, serialized, encoded or copied again).
 */
export function requestChunks(body: Record<string, unknown>): Buffer[] {
  const parts: Buffer[] = [];
  let pending = '{';
  const flush = () => {
    if (pending !== '') parts.push(Buffer.from(pending));
    pending = '';
  };
  for (const m of members(body)) {
    if (typeof m === 'string') {
      pending += m;
      continue;
    }
    pending += '[';
    m.items.forEach((item, i) => {
      if (i > 0) pending += ',';
      const k = knownOf(item);
      if (!k) pending += stringify(item);
      else if (typeof k.text === 'string') pending += k.prefix + k.text;
      else {
        pending += k.prefix;
        flush();
        parts.push(k.text);
      }
    });
    pending += ']';
  }
  pending += '}';
  flush();
  return parts;
}
