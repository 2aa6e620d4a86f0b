/**
 * The sandbox's own tar reader (src/replay/engines/pglite-datadir.ts) and the host's unpacked
 * states (src/replay/unpacked-states.ts), without starting PGlite: what a damaged or forged tar
 * does (refused whole, never a partial data directory), and that an unpacked state goes to the
 * worker as a plain tar while the caller's job and bytes stay as they were.
 * test/replay/pglite-snapshots.test.ts starts PGlite on what these read and write.
 */
import { afterEach, expect, test } from "@jest/globals";
import { gzipSync } from "node:zlib";
import { readTar } from "../../src/replay/engines/pglite-datadir.js";
import type { ReplayJob } from "../../src/replay/types.js";
import { forgetUnpackedStates, withUnpackedStates } from "../../src/replay/unpacked-states.js";
import { pgliteJob } from "../support/replay-job.js";

/** A ustar header block as tinytar (PGlite's dumpDataDir) writes it, checksum included. */
function header(name: string, size: number, type = "0"): Uint8Array {
  const h = new Uint8Array(512);
  const put = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i);
  };
  put(0, name);
  put(100, "000644 ");
  put(124, size.toString(8).padStart(11, "0"));
  put(136, (1_700_000_000).toString(8).padStart(11, "0"));
  put(156, type);
  put(257, "ustar\u000000");
  put(148, "        ");
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, `${sum.toString(8).padStart(6, "0")}\u0000 `);
  return h;
}

function tar(entries: Array<[string, string] | [string, null]>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, data] of entries) {
    const bytes = data === null ? new Uint8Array(0) : new TextEncoder().encode(data);
    parts.push(header(name, bytes.length, data === null ? "5" : "0"));
    const padded = new Uint8Array(Math.ceil(bytes.length / 512) * 512);
    padded.set(bytes);
    parts.push(padded);
  }
  parts.push(new Uint8Array(1024));
  return new Uint8Array(Buffer.concat(parts));
}

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

test("reads tinytar's form: directories and files, names relative to the data directory", () => {
  const entries = readTar(
    tar([
      ["/base", null],
      ["/base/1", null],
      ["/base/1/1259", "pg_class"],
      ["/PG_VERSION", "18\n"],
    ]),
  );
  expect(entries.map((e) => [e.parts.join("/"), e.dir, e.dir ? null : decode(e.data)])).toEqual([
    ["base", true, null],
    ["base/1", true, null],
    ["base/1/1259", false, "pg_class"],
    ["PG_VERSION", false, "18\n"],
  ]);
  expect(entries[2]!.mtime).toBe(1_700_000_000);
});

test("a damaged header, a truncated file or a missing end refuses the whole tar", () => {
  const good = tar([
    ["/PG_VERSION", "18\n"],
    ["/global/pg_control", "x".repeat(600)],
  ]);
  const flipped = good.slice();
  flipped[512 + 512 + 3] = flipped[512 + 512 + 3]! ^ 1; // the second header's name
  expect(() => readTar(flipped)).toThrow(/checksum/);
  const notUstar = good.slice();
  notUstar[257] = 0x41;
  expect(() => readTar(notUstar)).toThrow(/not ustar/);
  expect(() => readTar(good.subarray(0, 512 + 512 + 512 + 100))).toThrow(/truncated/);
  expect(() => readTar(good.subarray(0, good.length - 1024))).toThrow(/no end/);
  const badSize = tar([["/PG_VERSION", "18\n"]]);
  badSize.set(new TextEncoder().encode("0000000009x"), 124);
  expect(() => readTar(badSize)).toThrow();
});

test("a name that leaves the data directory is refused, not resolved", () => {
  expect(() => readTar(tar([["/../../pglite/lib/evil.so", "\u0000asm"]]))).toThrow(
    /not a path inside the data directory/,
  );
  expect(() => readTar(tar([["base/../../x", "x"]]))).toThrow(/not a path inside/);
  expect(() => readTar(tar([["/", "x"]]))).toThrow(/not a path inside/);
});

function job(over: Partial<ReplayJob["base"]>, engine: ReplayJob["engine"] = "pglite"): ReplayJob {
  return pgliteJob({ engine, directory: "migrations", base: { files: [], ...over } });
}

afterEach(() => forgetUnpackedStates());

test("the worker gets plain tars, unpacked once per packed array; the caller's job is unchanged", async () => {
  const plain = tar([["/PG_VERSION", "18\n"]]);
  const packed = gzipSync(plain);
  const restoreData = gzipSync(
    tar([
      ["/PG_VERSION", "18\n"],
      ["/kept", "1"],
    ]),
  );
  const original = job({
    template: packed,
    restore: { data: restoreData, extensions: [], files: 3 },
  });
  const snapshot = JSON.stringify(original);
  const sent = await withUnpackedStates(original);
  expect(Buffer.from(sent.base.template!).equals(Buffer.from(plain))).toBe(true);
  expect(readTar(sent.base.restore!.data).map((e) => e.parts.join("/"))).toEqual([
    "PG_VERSION",
    "kept",
  ]);
  expect(sent.base.restore!.files).toBe(3);
  // The tar's bytes and at most gunzip.ts's one spare byte: postMessage copies a view's whole
  // buffer (a view into a larger one is copied first: unpacked-states.ts).
  expect(sent.base.template!.byteOffset).toBe(0);
  expect(sent.base.template!.byteLength).toBe(plain.length);
  expect(sent.base.template!.buffer.byteLength).toBeLessThanOrEqual(plain.length + 1);
  expect(JSON.stringify(original)).toBe(snapshot);
  expect(original.base.template).toBe(packed);

  const again = await withUnpackedStates(job({ template: packed }));
  expect(again.base.template).toBe(sent.base.template);
  // Another array with the same bytes is another entry (identity, never a guess from content).
  const copy = await withUnpackedStates(job({ template: packed.slice() }));
  expect(copy.base.template).not.toBe(sent.base.template);
});

test("bytes that do not gunzip go as they are (the worker fails to start on them), sql.js untouched", async () => {
  const damaged = gzipSync(Buffer.from("not a data directory")).subarray(0, 12);
  const sent = await withUnpackedStates(job({ template: damaged }));
  expect(sent.base.template).toBe(damaged);
  const plain = tar([["/PG_VERSION", "18\n"]]);
  expect((await withUnpackedStates(job({ template: plain }))).base.template).toBe(plain);
  const sqljs = job({ restore: { data: gzipSync(plain), extensions: [], files: 1 } }, "sqljs");
  expect(await withUnpackedStates(sqljs)).toBe(sqljs);
});
