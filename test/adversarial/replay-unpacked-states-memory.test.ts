/**
 * The host's kept unpacked states (src/replay/unpacked-states.ts) are bounded in bytes, but the
 * map that keeps them is keyed by the packed arrays: every kept entry holds its packed array
 * alive too, after the cache that handed it out (MemoryCache, bounded by replayCacheBytes) has
 * dropped it, and whenever arrays never come back (DiskCache reads a new one at every get). What
 * the process holds for them must stay within the bound: unpacked and packed bytes together.
 * States of incompressible data (random rows a merged migration inserted) make the packed half as
 * large as the unpacked one.
 */
import { afterAll, expect, test } from "@jest/globals";
import { randomBytes } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import type { ReplayJob } from "../../src/replay/types.js";
import {
  forgetUnpackedStates,
  setUnpackedStatesBound,
  withUnpackedStates,
} from "../../src/replay/unpacked-states.js";
import { pgliteJob } from "../support/replay-job.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const MB = 1024 * 1024;
const previous = setUnpackedStatesBound(4 * MB);
afterAll(() => {
  setUnpackedStatesBound(previous);
  forgetUnpackedStates();
});

/** A ustar holding one file of `size` random bytes (what a state of random rows gunzips to). */
function randomTar(size: number): Uint8Array {
  const h = new Uint8Array(512);
  const put = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i);
  };
  put(0, "/PG_VERSION");
  put(100, "000644 ");
  put(124, size.toString(8).padStart(11, "0"));
  put(136, "00000000000");
  put(156, "0");
  put(257, "ustar\u000000");
  put(148, "        ");
  put(
    148,
    `${h
      .reduce((a, b) => a + b, 0)
      .toString(8)
      .padStart(6, "0")}\u0000 `,
  );
  const out = new Uint8Array(512 + Math.ceil(size / 512) * 512 + 1024);
  out.set(h);
  out.set(randomBytes(size), 512);
  return out;
}

function job(template: Uint8Array): ReplayJob {
  return pgliteJob({ directory: "migrations", base: { files: [], template } });
}

test("packed arrays that never come back: what is kept for them, packed and unpacked, stays within the bound", async () => {
  const refs: Array<WeakRef<Uint8Array>> = [];
  const sizes = new WeakMap<object, number>();
  const remember = (b: Uint8Array) => {
    sizes.set(b, b.byteLength);
    refs.push(new WeakRef(b));
  };
  for (let i = 0; i < 10; i++) {
    // A new array each time, as DiskCache reads one per get, or as MemoryCache's evicted ones.
    const packed = new Uint8Array(gzipSync(randomTar(MB)));
    const sent = await withUnpackedStates(job(packed));
    remember(packed);
    remember(sent.base.template!);
  }
  // WeakRefs made in a turn hold their targets until it ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  let held = 0;
  for (const r of refs) {
    const b = r.deref();
    if (b) held += sizes.get(b)!;
  }
  expect(held).toBeGreaterThan(0); // the last ones are kept: a later start from them is spared
  expect(held).toBeLessThanOrEqual(4 * MB);
});

test("two starts from the same packed array at once keep one entry (counted once)", async () => {
  forgetUnpackedStates();
  const packed = new Uint8Array(gzipSync(randomTar(64 * 1024)));
  const [a, b] = await Promise.all([
    withUnpackedStates(job(packed)),
    withUnpackedStates(job(packed)),
  ]);
  expect(a.base.template).toBe(b.base.template);
  expect((await withUnpackedStates(job(packed))).base.template).toBe(a.base.template);
});
