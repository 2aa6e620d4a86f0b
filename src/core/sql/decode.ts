/** Turn file bytes into text the way a database driver would receive them. */

export interface DecodedFile {
  text: string;
  /** The file had bytes that are not valid UTF-8 (replaced by U+FFFD). */
  invalidUtf8: boolean;
  /** NUL bytes: almost certainly not a SQL file. */
  binary: boolean;
}

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8", { fatal: false });

export function decodeSql(bytes: Uint8Array): DecodedFile {
  const binary = bytes.includes(0);
  try {
    // TextDecoder drops a leading UTF-8 BOM, which keeps line 1 intact.
    return { text: strict.decode(bytes), invalidUtf8: false, binary };
  } catch {
    return { text: lenient.decode(bytes), invalidUtf8: true, binary };
  }
}
