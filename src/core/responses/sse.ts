/**
 * SSE bytes -> parsed JSON events (protocol.md f.1). Framing is eventsource-parser's; this layer
 * decodes UTF-8 across chunk boundaries (peer-failures B23), skips comments, empty `data:` pings and
 * `[DONE]` (B24), and fails loudly on a complete event whose data is not JSON (B21).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { KolegaError } from '../errors.js';

/** One decoded Responses stream event: its JSON with at least a `type`. */
export interface RawStreamEvent {
  type: string;
  [key: string]: unknown;
}

/**
 * Yields the JSON events of an SSE body as they complete. Dispatches on the JSON `type`, falling
 * back to the `event:` name.
 * @throws KolegaError(upstream, `bad_event_json`) for an event whose data is not JSON;
 *   KolegaError(upstream, `bad_utf8`) when the body is not valid UTF-8 (e.g. cut mid-character);
 *   transport errors of `body` pass through.
 */
export async function* parseSseStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<RawStreamEvent> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const queue: RawStreamEvent[] = [];
  let parseError: KolegaError | undefined;
  const parser = createParser({
    onEvent(msg: EventSourceMessage) {
      if (parseError) return;
      const data = msg.data;
      if (data.trim() === '' || data === '[DONE]') return;
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch {
        parseError = new KolegaError('upstream', 'bad_event_json', `the server sent an event that is not JSON: ${data.slice(0, 120)}`, {
          hint: 'retry; if it persists, report it with --debug output',
          retryable: true,
        });
        return;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      const ev = value as RawStreamEvent;
      if (typeof ev.type !== 'string') {
        if (!msg.event) return;
        ev.type = msg.event;
      }
      queue.push(ev);
    },
  });
  for await (const chunk of body) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw badUtf8();
    }
    parser.feed(text);
    if (parseError) throw parseError;
    if (queue.length > 0) {
      const ready = queue.splice(0);
      for (const ev of ready) yield ev;
    }
  }
  try {
    const tail = decoder.decode();
    if (tail) parser.feed(tail);
  } catch {
    throw badUtf8();
  }
  if (parseError) throw parseError;
  for (const ev of queue.splice(0)) yield ev;
}

function badUtf8(): KolegaError {
  return new KolegaError('upstream', 'bad_utf8', 'the server stream is not valid UTF-8 (cut mid-character?)', {
    hint: 'retry; if it persists, report it with --debug output',
    retryable: true,
  });
}
