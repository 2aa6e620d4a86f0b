/**
 * Gunzip a snapshot into one buffer sized from its gzip trailer.
 *
 * Node's zlib writes its output in chunks of 16 KB and concatenates them at the end: the 40 MB
 * template becomes 2,500 small buffers and then a 40 MB copy, 80 MB of new ArrayBuffers per
 * unpack. V8 counts those bytes as external memory and starts a full garbage collection for about
 * every 64 MB of them, and a full collection costs what the whole heap holds: in a process with a
 * large heap (the app server, a Jest worker that has run many files) each unpack paid up to a
 * CPU-second of marking. One chunk as large as the trailer's ISIZE (the uncompressed length, mod
 * 2^32, of the last member) makes one 40 MB buffer instead, with no copy.
 *
 * ISIZE is a hint, never trusted: a damaged or forged file may say anything. A value no deflate
 * stream of this length could reach, or one past {@link MAX_CHUNK}, falls back to a 1 MB chunk;
 * one that is too small only costs more chunks. What is decoded is zlib's, whatever the hint was.
 */
import { promisify } from "node:util";
import { gunzip, gunzipSync } from "node:zlib";

/** The largest single output buffer a trailer may ask for (the template is 40 MB). */
const MAX_CHUNK = 128 * 1024 * 1024;
/** Without a usable hint: bigger than zlib's 16 KB, so a large state is a few dozen buffers. */
const FALLBACK_CHUNK = 1024 * 1024;
/** Deflate's best ratio is about 1032:1. */
const MAX_RATIO = 1032;

/**
 * zlib's chunk size for `gz`. One byte more than ISIZE: zlib starts a new chunk whenever the last
 * one is exactly full, so an exact size would allocate a second, unused one of the same size.
 */
export function chunkSizeFor(gz: Uint8Array): number {
  if (gz.byteLength < 18) return FALLBACK_CHUNK;
  const isize = new DataView(gz.buffer, gz.byteOffset, gz.byteLength).getUint32(
    gz.byteLength - 4,
    true,
  );
  if (isize === 0 || isize + 1 > MAX_CHUNK || isize > gz.byteLength * MAX_RATIO)
    return FALLBACK_CHUNK;
  return Math.max(64, isize + 1);
}

/** The gunzipped bytes; with a usable hint, a view of one buffer one byte longer than them. */
export function gunzipWhole(gz: Uint8Array): Buffer {
  return gunzipSync(gz, { chunkSize: chunkSizeFor(gz) });
}

const gunzipAsync = promisify(gunzip);

/** {@link gunzipWhole} on zlib's thread pool. */
export function gunzipWholeAsync(gz: Uint8Array): Promise<Buffer> {
  return gunzipAsync(gz, { chunkSize: chunkSizeFor(gz) });
}
