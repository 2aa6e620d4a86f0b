/**
 * Entry point of the sandbox worker thread. The host terminates the whole thread when a statement
 * or the time budget runs out: PGlite executes synchronously inside WASM, and Postgres's own
 * statement_timeout never fires there (no signals), so stopping the thread is the only way.
 */
import { parentPort } from "node:worker_threads";
import type { Engine } from "./engines/engine.js";
import { PgliteEngine, type PgliteModules } from "./engines/pglite.js";
import { SqljsEngine } from "./engines/sqljs.js";
import { runReplay } from "./runner.js";
import type { ReplayJob, WorkerMessage } from "./types.js";

export interface WorkerRequest {
  job: ReplayJob;
  modules: PgliteModules;
}

const port = parentPort;
if (!port) throw new Error("src/replay/worker.ts must run in a worker thread");

const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.once("message", (req: WorkerRequest) => {
  const { job, modules } = req;
  runReplay(job, {
    createEngine: (opts): Promise<Engine> =>
      job.engine === "pglite"
        ? // The job came by postMessage: its snapshot is this thread's own copy.
          PgliteEngine.create({ ...opts, modules, ownsSnapshot: true })
        : SqljsEngine.create(opts),
    progress: (phase, path, line) => {
      const m: WorkerMessage = { type: "progress", phase, statement: line !== undefined };
      if (path !== undefined) m.path = path;
      if (line !== undefined) m.line = line;
      send(m);
    },
    partial: (result) => {
      const { snapshot: _s, template: _t, ...rest } = result;
      send({ type: "partial", result: rest });
    },
  }).then(
    (result) => {
      const transfer = [result.snapshot, result.template]
        .filter((b): b is Uint8Array => b !== undefined)
        .map((b) => b.buffer as ArrayBuffer);
      send({ type: "done", result }, transfer);
    },
    (err: unknown) => send({ type: "error", message: (err as Error)?.stack ?? String(err) }),
  );
});
