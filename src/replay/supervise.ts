/**
 * The watchdog of one replay, wherever it runs (the sandbox worker, run-in-worker.ts, or a
 * database server, external/run-on-server.ts): the overall time budget and each statement's time,
 * and the outcome it settles on — the result, or how far the replay got when a limit was hit.
 */
import type { Phase, ReplayResult } from "./types.js";

export interface SandboxLimits {
  statementTimeoutMs: number;
  /** Time left for this job. */
  budgetMs: number;
  /** V8 heap of the worker; WASM memory is capped separately by the engines (2 GiB for PGlite). */
  maxHeapMb?: number;
  /**
   * Database servers only: how long after a statement's timeout the watchdog ends the session
   * when the server has not reported its own (default SERVER_GRACE_MS, external/run-on-server.ts).
   */
  serverGraceMs?: number;
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
