/**
 * Runs a replay job in a worker thread and keeps it bounded: a per-statement timeout, an overall
 * time budget, a heap limit, and a bounded number of sandboxes at a time per process (one by
 * default). When a limit is hit the thread is terminated (WASM cannot be interrupted any other
 * way) and the watchdog (supervise.ts) reports how far the replay got.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { PgliteModules } from "./engines/pglite.js";
import {
  supervise,
  type SandboxLimits,
  type SandboxOutcome,
  type Supervision,
} from "./supervise.js";
import type { ReplayJob, WorkerMessage } from "./types.js";
import { withUnpackedStates } from "./unpacked-states.js";
import type { WorkerRequest } from "./worker.js";

const require = createRequire(import.meta.url);

let modules: Promise<PgliteModules> | null = null;

/** The global WebAssembly object (the ES2023 lib without DOM types declares only the namespace). */
const wasm = (
  globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<WebAssembly.Module> } }
).WebAssembly;

/**
 * Compile PGlite's WASM once per process; every worker reuses the compiled modules.
 *
 * Baseline code only (V8's Liftoff, `--liftoff-only` while these two compile): with V8's default
 * dynamic tiering the functions a replay runs hot are compiled again by TurboFan, and for
 * Postgres's 9 MB module that costs more CPU than the optimised code ever saves here. Measured
 * (docs/performance.md, replay): a CLI-shaped run, initdb and 300 files, 9.2 → 5.2 CPU-s; a warm
 * one 4.7 → 2.2. The flag is V8's, process-wide, so it is set only around these compilations and
 * put back (WASM compiled elsewhere in the process, libpg-query's and sql.js's, keeps tiering;
 * one compiled at the same moment would get baseline code too: slower, never different).
 */
export function pgliteModules(): Promise<PgliteModules> {
  modules ??= (async () => {
    const dist = dirname(require.resolve("@electric-sql/pglite"));
    const [pgliteBytes, initdbBytes] = await Promise.all([
      readFile(join(dist, "pglite.wasm")),
      readFile(join(dist, "initdb.wasm")),
    ]);
    setFlagsFromString("--liftoff-only");
    try {
      const [pglite, initdb] = await Promise.all([
        wasm.compile(pgliteBytes),
        wasm.compile(initdbBytes),
      ]);
      return { pglite, initdb };
    } finally {
      setFlagsFromString("--no-liftoff-only");
    }
  })();
  return modules;
}

/**
 * The compiled worker. From lib/ it sits next to this file; when this module runs from the
 * TypeScript sources (tests), the build's copy is used (`npm test` builds first).
 */
export function workerUrl(): URL {
  const here = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL("../../lib/replay/worker.js", import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`sandbox worker not found at ${fileURLToPath(here)}; run "npm run build"`);
}

/**
 * Sandboxes at once in this process: one by default, as each may use up to 2 GiB of WASM memory.
 * A worker process (`npm run worker`) sets it from WORKER_REPLAY_CONCURRENCY.
 */
let sandboxLimit = 1;
let sandboxesRunning = 0;
const sandboxWaiting: Array<() => void> = [];

export function setSandboxConcurrency(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`sandbox concurrency must be ≥ 1, not ${n}`);
  sandboxLimit = n;
  while (sandboxesRunning < sandboxLimit && sandboxWaiting.length > 0) {
    sandboxesRunning++;
    sandboxWaiting.shift()!();
  }
}

export type SandboxRunner = (job: ReplayJob, limits: SandboxLimits) => Promise<SandboxOutcome>;

/**
 * Tests only: where jobs run instead of a fresh worker thread each (test/support/shared-sandbox.ts
 * shares one thread and one reset database across a file's cases). Returns the previous runner.
 */
let runner: SandboxRunner | null = null;
export function setSandboxRunner(r: SandboxRunner | null): SandboxRunner | null {
  const previous = runner;
  runner = r;
  return previous;
}

export async function runInSandbox(job: ReplayJob, limits: SandboxLimits): Promise<SandboxOutcome> {
  if (sandboxesRunning < sandboxLimit) sandboxesRunning++;
  else await new Promise<void>((resolve) => sandboxWaiting.push(resolve));
  try {
    return await (runner ?? runNow)(job, limits);
  } finally {
    const next = sandboxWaiting.shift();
    if (next) next();
    else sandboxesRunning--;
  }
}

async function runNow(job: ReplayJob, limits: SandboxLimits): Promise<SandboxOutcome> {
  const request: WorkerRequest = {
    job: await withUnpackedStates(job),
    modules: job.engine === "pglite" ? await pgliteModules() : {},
  };
  const worker = new Worker(workerUrl(), {
    // Captured, never inherited: nothing the engine prints may reach the CLI's stdout.
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb ?? 1024 },
  });
  let stderr = "";
  worker.stdout.resume();
  worker.stderr.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString("utf8")).slice(-2000);
  });
  const watch = supervise(limits, () => void worker.terminate());

  worker.on("message", (m: WorkerMessage) => relayToWatch(watch, m));
  worker.on("error", (err: Error & { code?: string }) =>
    watch.abort("crashed", threadErrorReason(err)),
  );
  worker.on("exit", (code) =>
    watch.abort(
      "crashed",
      `the sandbox stopped unexpectedly (exit code ${code})${stderr ? `: ${stderr.trim().split("\n").pop()}` : ""}`,
    ),
  );
  worker.postMessage(request);
  return watch.outcome;
}

/** A sandbox thread's message (worker.ts's protocol) told to its watchdog. */
export function relayToWatch(watch: Supervision, m: WorkerMessage): void {
  switch (m.type) {
    case "progress":
      watch.progress(m.phase, m.path, m.line, m.statement);
      break;
    case "partial":
      watch.partial(m.result);
      break;
    case "done":
      watch.done(m.result);
      break;
    case "error":
      watch.abort("crashed", `the sandbox failed: ${m.message.split("\n")[0]}`);
      break;
  }
}

/** Why a sandbox thread failed, from the error its Worker emitted. */
export function threadErrorReason(err: Error & { code?: string }): string {
  return err.code === "ERR_WORKER_OUT_OF_MEMORY"
    ? "the sandbox ran out of memory"
    : `the sandbox failed: ${err.message}`;
}
