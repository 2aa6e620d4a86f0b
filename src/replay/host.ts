/**
 * Runs a replay job in a worker thread and keeps it bounded: a per-statement timeout, an overall
 * time budget, a heap limit, and a bounded number of sandboxes at a time per process (one by
 * default). When a limit is hit the thread is terminated (WASM cannot be interrupted any other
 * way) and the host reports how far the replay got.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { PgliteModules } from "./engines/pglite.js";
import type { Phase, ReplayJob, ReplayResult, WorkerMessage } from "./types.js";
import type { WorkerRequest } from "./worker.js";

export interface SandboxLimits {
  statementTimeoutMs: number;
  /** Time left for this job. */
  budgetMs: number;
  /** V8 heap of the worker; WASM memory is capped separately by the engines (2 GiB for PGlite). */
  maxHeapMb?: number;
}

export interface SandboxAbort {
  /**
   * refused: the database server must not be used (not a sandbox, an account that reaches too
   * far); unavailable: it cannot be used now (unreachable, busy).
   */
  reason: "statement-timeout" | "time-budget" | "crashed" | "refused" | "unavailable";
  message: string;
  phase: Phase;
  path?: string;
  line?: number;
}

export interface SandboxOutcome {
  /** Complete when there is no abort; otherwise what the worker reported before it stopped. */
  result: ReplayResult | null;
  abort?: SandboxAbort;
  ms: number;
}

const require = createRequire(import.meta.url);

let modules: Promise<PgliteModules> | null = null;

/** The global WebAssembly object (the ES2023 lib without DOM types declares only the namespace). */
const wasm = (
  globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<WebAssembly.Module> } }
).WebAssembly;

/** Compile PGlite's WASM once per process; every worker reuses the compiled modules. */
function pgliteModules(): Promise<PgliteModules> {
  modules ??= (async () => {
    const dist = dirname(require.resolve("@electric-sql/pglite"));
    const [pglite, initdb] = await Promise.all([
      readFile(join(dist, "pglite.wasm")).then((b) => wasm.compile(b)),
      readFile(join(dist, "initdb.wasm")).then((b) => wasm.compile(b)),
    ]);
    return { pglite, initdb };
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

export async function runInSandbox(job: ReplayJob, limits: SandboxLimits): Promise<SandboxOutcome> {
  if (sandboxesRunning < sandboxLimit) sandboxesRunning++;
  else await new Promise<void>((resolve) => sandboxWaiting.push(resolve));
  try {
    return await runNow(job, limits);
  } finally {
    const next = sandboxWaiting.shift();
    if (next) next();
    else sandboxesRunning--;
  }
}

async function runNow(job: ReplayJob, limits: SandboxLimits): Promise<SandboxOutcome> {
  const request: WorkerRequest = {
    job,
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

  worker.on("message", (m: WorkerMessage) => {
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
  });
  worker.on("error", (err: Error & { code?: string }) =>
    watch.abort(
      "crashed",
      err.code === "ERR_WORKER_OUT_OF_MEMORY"
        ? "the sandbox ran out of memory"
        : `the sandbox failed: ${err.message}`,
    ),
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

/** What a running replay reports to its supervisor. */
export interface Supervision {
  progress(
    phase: Phase,
    path: string | undefined,
    line: number | undefined,
    statement: boolean,
  ): void;
  partial(result: ReplayResult): void;
  done(result: ReplayResult): void;
  abort(reason: SandboxAbort["reason"], message: string): void;
  /** Settles once: with the result, or at the first abort (timer or report). */
  outcome: Promise<SandboxOutcome>;
}

/**
 * Bounds one replay: the overall budget, and each statement's time from the progress report that
 * announces it (plus `graceMs`, when the database enforces the limit itself and should be the one
 * to report it). When a limit is hit the outcome carries the partial result.
 */
export function supervise(
  limits: SandboxLimits,
  /** Called once when the replay settles: with the reason when it was cut short, else null. */
  stop: (why: string | null) => void,
  graceMs = 0,
): Supervision {
  const started = performance.now();
  let partial: ReplayResult | null = null;
  let where: { phase: Phase; path?: string; line?: number } = { phase: "start" };
  let settled = false;
  let statementTimer: NodeJS.Timeout | undefined;
  let resolveOutcome!: (o: SandboxOutcome) => void;
  const outcome = new Promise<SandboxOutcome>((resolve) => (resolveOutcome = resolve));

  const finish = (o: Omit<SandboxOutcome, "ms">, why?: string) => {
    if (settled) return;
    settled = true;
    clearTimeout(budgetTimer);
    clearTimeout(statementTimer);
    stop(why ?? null);
    resolveOutcome({ ...o, ms: Math.round(performance.now() - started) });
  };
  const abort = (reason: SandboxAbort["reason"], message: string) =>
    finish({ result: partial, abort: { reason, message, ...where } }, message);

  const budgetTimer = setTimeout(
    () => abort("time-budget", `the replay did not finish within its time budget`),
    Math.max(0, limits.budgetMs),
  );

  return {
    progress(phase, path, line, statement) {
      where = { phase };
      if (path !== undefined) where.path = path;
      if (line !== undefined) where.line = line;
      clearTimeout(statementTimer);
      if (statement && !settled)
        statementTimer = setTimeout(
          () =>
            abort(
              "statement-timeout",
              `the statement did not finish within ${limits.statementTimeoutMs} ms`,
            ),
          limits.statementTimeoutMs + graceMs,
        );
    },
    partial(result) {
      partial = result;
    },
    done(result) {
      finish({ result });
    },
    abort,
    outcome,
  };
}
