/**
 * Accumulates streamed text in O(total length) time with few live objects: pieces are joined into
 * flat blocks every BLOCK_PIECES appends. Keeping 100,000 deltas as a `+=` rope instead holds
 * 100,000 small strings plus as many rope nodes, all surviving garbage collection, which grows the
 * heap (README "Performance": peak RSS at 100,000 deltas).
 */
const BLOCK_PIECES = 256;

/** An append-only string builder. */
export class TextBuffer {
  private blocks: string[] = [];
  private pieces: string[] = [];
  private size = 0;

  /** Appends `text`. */
  append(text: string): void {
    this.pieces.push(text);
    this.size += text.length;
    if (this.pieces.length >= BLOCK_PIECES) {
      this.blocks.push(this.pieces.join(''));
      this.pieces = [];
    }
  }

  /** Length of the text so far, in UTF-16 code units. */
  get length(): number {
    return this.size;
  }

  /** The whole text so far (flattened once; later appends still work). */
  toString(): string {
    if (this.pieces.length > 0) {
      this.blocks.push(this.pieces.join(''));
      this.pieces = [];
    }
    if (this.blocks.length > 1) this.blocks = [this.blocks.join('')];
    return this.blocks[0] ?? '';
  }
}
