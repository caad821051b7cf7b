/**
 * Bounded capture of a command's output: the first and the last `maxBytes / 2` bytes are kept and
 * the middle is replaced by a marker saying how much was left out (errors tend to be at the end,
 * context at the start). Both cuts fall on UTF-8 character boundaries.
 */
import { utf8Complete, utf8Suffix } from './utf8-cut.js';

/** Collects chunks, keeping at most `maxBytes` (plus the marker). */
export class OutputCapture {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Every byte seen. */
  total = 0;

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk. */
  push(chunk: Buffer): void {
    this.total += chunk.length;
    const half = Math.floor(this.maxBytes / 2);
    if (this.headBytes < half) {
      const take = chunk.subarray(0, half - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
      if (chunk.length === 0) return;
    }
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.maxBytes - half) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }

  /** Bytes left out of `text()`. */
  get omitted(): number {
    return Math.max(0, this.total - this.maxBytes);
  }

  /** The captured text (UTF-8), with `[... N bytes omitted ...]` where bytes were dropped. */
  text(): string {
    const rawHead = Buffer.concat(this.head);
    const rawTail = Buffer.concat(this.tail);
    if (this.omitted === 0) return Buffer.concat([rawHead, rawTail]).toString('utf8');
    const head = utf8Complete(rawHead);
    const tail = utf8Suffix(rawTail, this.maxBytes - rawHead.length);
    const omitted = this.total - head.length - tail.length;
    return `${head.toString('utf8')}\n[... ${omitted} bytes of output omitted ...]\n${tail.toString('utf8')}`;
  }
}
