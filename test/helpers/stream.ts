/**
 * Runs the real SSE + assembly layer (`feedAssembler`, `ResponseAssembler`) over a body delivered
 * in given chunks, and reports what a caller would see: the turn events, the outcome or the error.
 */
import { ResponseAssembler, type ResponseOutcome } from '../../src/core/responses/assemble.js';
import { feedAssembler } from '../../src/core/responses/client.js';
import { KolegaError } from '../../src/core/errors.js';
import type { TurnEvent } from '../../src/core/events.js';

/** What one assembled stream produced. */
export interface Assembled {
  events: TurnEvent[];
  outcome?: ResponseOutcome;
  error?: { code: string; exitClass: string; message: string; retryable: boolean; retryDelayMs?: number };
}

async function* chunksOf(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

/** Feeds `parts` (in order) through the SSE parser and an assembler. */
export async function assembleChunks(parts: Uint8Array[]): Promise<Assembled> {
  const events: TurnEvent[] = [];
  const asm = new ResponseAssembler((e) => events.push(e));
  try {
    await feedAssembler(chunksOf(parts), asm);
    return { events, outcome: asm.finish() };
  } catch (err) {
    if (!(err instanceof KolegaError)) throw err;
    return {
      events,
      error: {
        code: err.code,
        exitClass: err.exitClass,
        message: err.message,
        retryable: err.retryable,
        retryDelayMs: err.retryDelayMs,
      },
    };
  }
}

/** `buf` cut at the given offsets. */
export function splitAt(buf: Uint8Array, ...offsets: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const o of offsets) {
    out.push(buf.subarray(prev, o));
    prev = o;
  }
  out.push(buf.subarray(prev));
  return out;
}

/** `buf` in pieces of `n` bytes. */
export function chunked(buf: Uint8Array, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < buf.length; i += n) out.push(buf.subarray(i, i + n));
  return out;
}

/** The text of all `text.delta` events. */
export function deltaText(a: Assembled): string {
  return a.events.map((e) => (e.type === 'text.delta' ? e.delta : '')).join('');
}
