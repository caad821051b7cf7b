/** NDJSON renderer: one event per line on stdout, written as it happens (docs/design.md "JSON mode"). */
import type { EventSink } from '../../core/events.js';
import type { IO } from '../io.js';

/** A sink that writes each event as one JSON line; retries also get one stderr line. */
export function ndjsonRenderer(io: IO): EventSink {
  return (ev) => {
    io.out(JSON.stringify(ev) + '\n');
    if (ev.type === 'retry') io.warn(`kolega: retrying in ${ev.delay_ms} ms (attempt ${ev.attempt}): ${ev.reason}`);
  };
}
