/**
 * SSE bytes -> parsed JSON events (docs/protocol.md §f.1). Framing is eventsource-parser's; this layer
 * decodes UTF-8 across chunk boundaries (a character may be split between network reads), skips
 * comments, empty `data:` pings and `[DONE]` (some proxies and servers send them), and fails loudly on a
 * complete event whose data is not JSON (a silently dropped event could lose part of the answer).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { KolegaError } from '../errors.js';
import { Utf8ChunkDecoder } from './utf8-chunks.js';

/** One decoded Responses stream event: its JSON with at least a `type`. */
export interface RawStreamEvent {
  type: string;
  [key: string]: unknown;
}

/**
 * Yields the JSON events of an SSE body as they complete. Dispatches on the JSON `type`, falling
 * back to the `event:` name.
 * @throws KolegaError(upstream, `bad_event_json`) for an event whose data is not JSON;
 *   KolegaError(upstream, `bad_utf8`) when the body holds invalid UTF-8 (a body cut in the middle of a
 *   character is not an error here: the cut event is never dispatched and the caller sees an
 *   incomplete stream);
 *   transport errors of `body` pass through.
 */
export async function* parseSseStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<RawStreamEvent> {
  const decoder = new Utf8ChunkDecoder();
  const queue: RawStreamEvent[] = [];
  let parseError: KolegaError | undefined;
  let lastChar = '';
  const parser = createParser({
    onEvent(msg: EventSourceMessage) {
      if (parseError) return;
      const data = msg.data;
      if (data.trim() === '' || data === '[DONE]') return;
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch {
        parseError = new KolegaError(
          'upstream',
          'bad_event_json',
          `the server sent an event that is not JSON: ${data.slice(0, 120)}`,
          {
            hint: 'retry; if it persists, report it with --debug output',
            retryable: true,
          },
        );
        return;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        parseError = new KolegaError(
          'upstream',
          'bad_event_json',
          `the server sent an event that is not a JSON object: ${data.slice(0, 120)}`,
          {
            hint: 'retry; if it persists, report it with --debug output',
            retryable: true,
          },
        );
        return;
      }
      const ev = value as RawStreamEvent;
      if (typeof ev.type !== 'string') {
        if (!msg.event) return;
        ev.type = msg.event;
      }
      queue.push(ev);
    },
  });
  for await (const chunk of body) {
    const decoded = decoder.decode(chunk);
    if (!decoded.ok) {
      // Deliver what completed before the invalid bytes, then fail loudly.
      parser.feed(decoded.validText);
      for (const ev of queue.splice(0)) yield ev;
      throw parseError ?? badUtf8();
    }
    const text = decoded.text;
    if (text !== '') lastChar = text[text.length - 1]!;
    parser.feed(text);
    // Events that completed before a malformed one are delivered first, then the error.
    if (queue.length > 0) {
      const ready = queue.splice(0);
      for (const ev of ready) yield ev;
    }
    if (parseError) throw parseError;
  }
  // A body that ended inside a multi-byte character: those bytes can only belong
  // to an event that never got its closing blank line, so the stream is simply incomplete. The tail
  // is dropped and the caller reports `stream_incomplete` (never a U+FFFD in the output).
  decoder.end();
  // A body that ends in CR: the parser waits to see whether LF follows (CRLF). At EOF nothing
  // follows, so that CR ended its line (with CR-only line ends it may be the event's blank line).
  if (lastChar === '\r') parser.feed('\n');
  for (const ev of queue.splice(0)) yield ev;
  if (parseError) throw parseError;
}

function badUtf8(): KolegaError {
  return new KolegaError('upstream', 'bad_utf8', 'the server stream is not valid UTF-8', {
    hint: 'retry; if it persists, report it with --debug output',
    retryable: true,
  });
}
