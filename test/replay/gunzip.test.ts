/**
 * Snapshots gunzipped into one buffer sized from the gzip trailer (src/replay/gunzip.ts): the
 * trailer is a hint, so a damaged or forged one changes how many buffers are made, never what is
 * decoded, and never makes a buffer larger than the bound.
 */
import { expect, test } from "@jest/globals";
import { randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { chunkSizeFor, gunzipWhole, gunzipWholeAsync } from "../../src/replay/gunzip.js";

/** 3 MB: compressible runs and random blocks, as a data directory's pages are. */
const plain = Buffer.concat(
  Array.from({ length: 48 }, (_, i) =>
    i % 3 === 0 ? randomBytes(64 * 1024) : Buffer.alloc(64 * 1024, i),
  ),
);
const gz = gzipSync(plain, { level: 1 });

/** `gz` with its trailer's ISIZE replaced (its CRC still matches: zlib checks ISIZE too). */
function withIsize(isize: number): Uint8Array {
  const out = Buffer.from(gz);
  out.writeUInt32LE(isize >>> 0, out.length - 4);
  return out;
}

test("one buffer, one byte longer than the bytes, with what zlib decodes", async () => {
  for (const out of [gunzipWhole(gz), await gunzipWholeAsync(gz)]) {
    expect(out.equals(plain)).toBe(true);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(plain.length + 1);
  }
  // A view of a larger buffer decodes alike.
  const inside = new Uint8Array(gz.length + 20);
  inside.set(gz, 10);
  expect(gunzipWhole(inside.subarray(10, 10 + gz.length)).equals(plain)).toBe(true);
});

test("a trailer that lies: zlib refuses the stream, and no buffer past the bound is asked for", async () => {
  for (const isize of [1, plain.length - 1, plain.length + 1, 0xffff_ffff, 0]) {
    const lying = withIsize(isize);
    expect(chunkSizeFor(lying)).toBeLessThanOrEqual(128 * 1024 * 1024);
    // zlib checks the length in the trailer, as gunzipSync does without the hint.
    expect(() => gunzipSync(lying)).toThrow();
    expect(() => gunzipWhole(lying)).toThrow();
    await expect(gunzipWholeAsync(lying)).rejects.toThrow();
  }
  // Beyond what deflate can reach from these bytes, or past the bound: the 1 MB fallback.
  expect(chunkSizeFor(withIsize(gz.length * 1033))).toBe(1024 * 1024);
  expect(chunkSizeFor(withIsize(0xffff_ffff))).toBe(1024 * 1024);
});

test("two members (ISIZE is the last one's): all of it, in more than one buffer", () => {
  const second = Buffer.from("second member");
  const both = Buffer.concat([gz, gzipSync(second)]);
  expect(chunkSizeFor(both)).toBe(Math.max(64, second.length + 1));
  expect(gunzipWhole(both).equals(Buffer.concat([plain, second]))).toBe(true);
});

test("truncated, empty, or not a gzip: zlib's errors, as before", async () => {
  const half = gz.subarray(0, gz.length >> 1);
  expect(() => gunzipWhole(half)).toThrow(/unexpected end of file/);
  await expect(gunzipWholeAsync(half)).rejects.toThrow(/unexpected end of file/);
  expect(() => gunzipWhole(new Uint8Array(0))).toThrow();
  expect(() => gunzipWhole(Buffer.from("not a gzip at all, just text"))).toThrow(
    /incorrect header/,
  );
  expect(gunzipWhole(gzipSync(Buffer.alloc(0))).length).toBe(0);
});
