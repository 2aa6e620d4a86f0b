/**
 * Run a test's work on PGlite in a worker thread of its own, not in the Jest worker's thread.
 *
 * What a test does in the Jest worker's thread allocates in that worker's heap, and a Jest worker
 * keeps every earlier file's module graph (docs/development.md, "A fresh worker once one has
 * grown"). Each PGlite start allocates hundreds of MB of ArrayBuffers (its WASM memory, the data
 * directory's tar), V8 starts a full garbage collection for about every 64 MB of those, and a full
 * collection marks the whole heap: late in a full run, `pglite-snapshots.test.ts` cost 32–51
 * CPU-s where it costs 15 alone. A thread has a heap of its own, which holds only this work.
 *
 * `fn` is sent as source text (test/support/in-thread-worker.mjs runs it over lib/): it sees only
 * its two arguments, the modules (`lib`) and `args` (structured-cloned), never the test file's
 * variables. It returns structured-cloneable values; a throw rejects with the same message.
 */
import { Worker } from "node:worker_threads";
import type * as Zlib from "node:zlib";
import type { PGlite } from "@electric-sql/pglite";
import type { PgliteEngine } from "../../src/replay/engines/pglite.js";
import type { readTar } from "../../src/replay/engines/pglite-datadir.js";
import type { pgliteModules } from "../../src/replay/run-in-worker.js";
import type { runReplay } from "../../src/replay/runner.js";

/** What the worker hands a function: lib/'s modules, as src/replay/worker.ts's thread has them. */
export interface ThreadLib {
  PGlite: typeof PGlite;
  PgliteEngine: typeof PgliteEngine;
  readTar: typeof readTar;
  pgliteModules: typeof pgliteModules;
  runReplay: typeof runReplay;
  zlib: typeof Zlib;
}

export interface Thread {
  run<A, R>(fn: (lib: ThreadLib, args: A) => Promise<R>, args: A): Promise<R>;
  close(): Promise<void>;
}

/** One thread for a file: its calls run one after the other, its `globalThis` kept between them. */
export function inThread(): Thread {
  const worker = new Worker(new URL("./in-thread-worker.mjs", import.meta.url));
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  let failed: Error | null = null;
  const fail = (err: Error) => {
    failed = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on("message", (m: { id: number; ok: boolean; value?: unknown; message?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.ok) w?.resolve(m.value);
    else w?.reject(new Error(m.message));
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the test's thread exited (${code})`)));
  return {
    run(fn, args) {
      if (failed) return Promise.reject(failed);
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ id, source: fn.toString(), args });
      });
    },
    async close() {
      worker.removeAllListeners("exit");
      await worker.terminate();
    },
  };
}
