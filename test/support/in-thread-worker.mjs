/**
 * The worker of test/support/in-thread.ts: runs a test's function in this thread, over lib/ (the
 * build of src/, as src/replay/worker.ts's own thread runs it), and posts back what it returns.
 *
 * Plain JavaScript: Jest does not load worker threads. The function comes as source text and
 * gets the modules below as its first argument; `globalThis` is this thread's, kept between the
 * calls of one file (the file's own state: compiled modules, a snapshot).
 */
import { parentPort } from "node:worker_threads";
import * as zlib from "node:zlib";
import { PGlite } from "@electric-sql/pglite";
import { PgliteEngine } from "../../lib/replay/engines/pglite.js";
import { readTar } from "../../lib/replay/engines/pglite-datadir.js";
import { pgliteModules } from "../../lib/replay/run-in-worker.js";
import { runReplay } from "../../lib/replay/runner.js";

const port = parentPort;
if (!port) throw new Error("in-thread-worker.mjs must run in a worker thread");

const lib = { PGlite, PgliteEngine, readTar, pgliteModules, runReplay, zlib };
const AsyncFunction = (async () => undefined).constructor;

port.on("message", async ({ id, source, args }) => {
  try {
    const fn = new AsyncFunction("lib", "args", `return (${source})(lib, args);`);
    port.postMessage({ id, ok: true, value: await fn(lib, args) });
  } catch (err) {
    port.postMessage({ id, ok: false, message: String(err?.message ?? err) });
  }
});
