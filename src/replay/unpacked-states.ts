/**
 * PGlite data directories unpacked once per process instead of at every sandbox start.
 *
 * Cached states and the template are gzipped tars (5 MB for the template's 40 MB). Gunzipping
 * one costs about 0.2 CPU-s, a quarter of a start, and the app and the tests start many sandboxes
 * from the same few: the template, a base branch's state. So the host keeps the unpacked tars of
 * the last ones it sent, by the packed array's identity (MemoryCache and the process's template
 * map hand out the same array each time), up to a bound in bytes, and the worker gets the plain
 * tar: its structured-clone copy is the thread's own, so the data directory can keep views of it
 * (pglite-datadir.ts). Bytes that do not gunzip are passed as they are: the worker fails to start
 * on them, as before, and the replay runs again from the merged files (jobs.ts).
 */
import { gunzipWholeAsync } from "./gunzip.js";
import type { ReplayJob } from "./types.js";

/** Bytes kept, packed and unpacked: the template (40 MB unpacked) and a base state or two. */
let maxBytes = 96 * 1024 * 1024;

/** By packed array: its unpacked tar, and the bytes the entry holds (counted when kept). */
const kept = new Map<Uint8Array, { tar: Uint8Array; size: number }>();
let keptBytes = 0;

async function unpacked(packed: Uint8Array): Promise<Uint8Array> {
  if (packed[0] !== 0x1f || packed[1] !== 0x8b) return packed;
  const hit = kept.get(packed);
  if (hit) {
    // Map order is insertion order: re-inserting marks it most recently used.
    kept.delete(packed);
    kept.set(packed, hit);
    return hit.tar;
  }
  let tar: Uint8Array;
  try {
    // One buffer sized from the trailer (gunzip.ts): the host's heap is the app's, or a test
    // worker's, where every 64 MB of new buffers costs a full garbage collection.
    tar = await gunzipWholeAsync(packed);
  } catch {
    return packed;
  }
  // Another start from the same array (WORKER_REPLAY_CONCURRENCY > 1) unpacked it meanwhile:
  // counted once, or the bytes counted twice would never be given back.
  const meanwhile = kept.get(packed);
  if (meanwhile) return meanwhile.tar;
  // postMessage copies a view's whole ArrayBuffer: send the tar and nothing more (gunzip.ts's
  // one spare byte aside). A view into anything larger is copied into a new Uint8Array.
  if (tar.byteOffset !== 0 || tar.buffer.byteLength > tar.byteLength + 1) tar = new Uint8Array(tar);
  // An entry holds its key alive too, with the whole buffer it views (after the cache that
  // handed it out has let it go, or when arrays never come back, as DiskCache's): both count.
  const size = packed.buffer.byteLength + tar.buffer.byteLength;
  if (size > maxBytes) return tar;
  kept.set(packed, { tar, size });
  keptBytes += size;
  for (const [k, v] of kept) {
    if (keptBytes <= maxBytes) break;
    kept.delete(k);
    keptBytes -= v.size;
  }
  return tar;
}

/** The job with its PGlite template or restored state unpacked (the job itself is unchanged). */
export async function withUnpackedStates(job: ReplayJob): Promise<ReplayJob> {
  if (job.engine !== "pglite") return job;
  const { restore, template } = job.base;
  if (!restore && !template) return job;
  const base = { ...job.base };
  if (restore) base.restore = { ...restore, data: await unpacked(restore.data) };
  if (template) base.template = await unpacked(template);
  return { ...job, base };
}

/** Tests: the bound in bytes (returns the previous one). */
export function setUnpackedStatesBound(bytes: number): number {
  const previous = maxBytes;
  maxBytes = bytes;
  return previous;
}

/** Tests: forget what is kept. */
export function forgetUnpackedStates(): void {
  kept.clear();
  keptBytes = 0;
}
