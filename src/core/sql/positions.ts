/** Offsets ↔ 1-based line/column, with \n, \r\n and lone \r all ending a line. */

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units from the start of the line. */
  column: number;
  /** 0-based string index. */
  offset: number;
}

export class LineIndex {
  /** String index where each line starts. */
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo]! + 1, offset: o };
  }

  /** String index of the start of a 1-based line. */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))]!;
  }
}

/**
 * Convert a UTF-8 byte offset (what libpg-query reports) into a string index of `text`.
 * Offsets inside a multi-byte character map to that character's index.
 */
export function utf8ByteToIndex(text: string, byteOffset: number): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    if (bytes >= byteOffset) return i;
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return text.length;
}

/**
 * Convert a code-point offset (what libpg-query reports as an error's cursor position) into a
 * string index of `text`: characters outside the BMP are one code point but two string units.
 */
export function codePointToIndex(text: string, codePoints: number): number {
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    if (cp >= codePoints) return i;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) i++;
    cp++;
  }
  return text.length;
}
