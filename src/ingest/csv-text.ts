/** Reading a tracker export as text: its separator, its line numbers, and what a parse failure means. */

/** The largest row read; a bigger one is almost always an unclosed quote. */
export const MAX_RECORD_BYTES = 1_000_000;

/** Picks the separator that occurs most in the header line: comma, semicolon or tab. */
export function detectDelimiter(text: string): string {
  const firstLine = text.split(/\r\n|\n|\r/, 1)[0] ?? '';
  const counts = [',', ';', '\t'].map((separator) => ({
    separator,
    count: firstLine.split(separator).length - 1,
  }));
  const best = counts.reduce((top, entry) => (entry.count > top.count ? entry : top));
  return best.count > 0 ? best.separator : ',';
}

/** What a csv-parse failure means for the person importing, on the line where it happened. */
export function describeCsvError(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return 'a quoted cell that starts on this line is never closed; nothing after it could be read';
  }
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return `the row starting on this line is larger than ${MAX_RECORD_BYTES} bytes (an unclosed quote?); nothing after it could be read`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `the CSV could not be read from this line on (${message})`;
}

/** Maps byte offsets in the file to physical line numbers (CRLF, LF and lone CR each end a line). */
export class LineIndex {
  private readonly breakEnds: number[] = [];

  constructor(private readonly buffer: Buffer) {
    for (let i = 0; i < buffer.length; i += 1) {
      const byte = buffer[i];
      if (byte === 0x0a || (byte === 0x0d && buffer[i + 1] !== 0x0a)) this.breakEnds.push(i + 1);
    }
  }

  /** The 1-based line holding the byte at `offset`. */
  lineAt(offset: number): number {
    let low = 0;
    let high = this.breakEnds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.breakEnds[middle] ?? Infinity) <= offset) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  }

  /** The first offset at or after `offset` that is not a line break or byte-order mark (empty lines). */
  skipBreaks(offset: number): number {
    let i = offset;
    if (i === 0 && this.buffer[0] === 0xef && this.buffer[1] === 0xbb && this.buffer[2] === 0xbf) i = 3;
    while (i < this.buffer.length && (this.buffer[i] === 0x0a || this.buffer[i] === 0x0d)) i += 1;
    return i;
  }
}
