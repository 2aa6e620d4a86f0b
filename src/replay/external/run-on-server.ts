/**
 * Runs a replay job on a database server in this process (the I/O is asynchronous, nothing to
 * isolate in a worker) under the same supervision as the sandbox worker: a per-statement timeout
 * and the overall budget. The server enforces the statement timeout itself; the watchdog, a little
 * later, kills the session from the guard connection, so a hung server or a migration that turns
 * the server's timeout off cannot hang the replay.
 */
import type { MysqlServerEngine } from "../engines/mysql-server.js";
import type { PostgresServerEngine } from "../engines/postgres-server.js";
import { EngineAborted, StatementTimedOut, type EngineOptions } from "../engines/engine.js";
import { supervise, type SandboxLimits, type SandboxOutcome } from "../supervise.js";
import { runReplay } from "../runner.js";
import type { ReplayJob } from "../types.js";
import {
  SandboxRefused,
  ServerUnavailable,
  type ServerLimits,
  type ServerTarget,
} from "./sandbox.js";
import { endedFromOutside } from "./session.js";

/** The server reports its own statement timeout first; the watchdog acts this much later. */
export const SERVER_GRACE_MS = 5_000;
const MAX_CONNECT_MS = 10_000;

type ServerEngine = MysqlServerEngine | PostgresServerEngine;

/** Bounds for one replay on a server, from the replay's limits. */
export function serverLimits(limits: SandboxLimits): ServerLimits {
  return {
    statementTimeoutMs: limits.statementTimeoutMs,
    connectTimeoutMs: Math.max(1_000, Math.min(MAX_CONNECT_MS, limits.budgetMs / 4)),
    // Waiting for another replay may take half the budget; the replay needs the rest.
    lockWaitMs: Math.max(1_000, Math.floor(limits.budgetMs / 2)),
  };
}

export function runOnServer(
  job: ReplayJob,
  target: ServerTarget,
  limits: SandboxLimits,
): Promise<SandboxOutcome> {
  let engine: ServerEngine | null = null;
  let killed: string | null = null;
  const watch = supervise(
    limits,
    (why) => {
      if (why === null) return;
      killed = why;
      void engine?.kill(why);
    },
    limits.serverGraceMs ?? SERVER_GRACE_MS,
  );
  const open = async (opts: EngineOptions): Promise<ServerEngine> => {
    const bounds = serverLimits(limits);
    // The drivers load only when a server is used: every lint would pay for them otherwise.
    const e =
      job.engine === "mysql-server"
        ? await (
            await import("../engines/mysql-server.js")
          ).MysqlServerEngine.open(target, bounds, opts.progress)
        : await (
            await import("../engines/postgres-server.js")
          ).PostgresServerEngine.open(target, bounds, opts.progress);
    engine = e;
    // The budget ran out while connecting or waiting for the lock.
    if (killed) {
      await e.kill(killed);
      throw new EngineAborted(killed);
    }
    return e;
  };
  runReplay(job, {
    createEngine: open,
    progress: (phase, path, line) => watch.progress(phase, path, line, line !== undefined),
    // The runner keeps changing its result: keep a copy of how far it got.
    partial: (result) => watch.partial(structuredClone(result)),
  }).then(
    (result) => watch.done(result),
    (err: unknown) => {
      if (err instanceof StatementTimedOut)
        watch.abort(
          "statement-timeout",
          `the statement did not finish within ${limits.statementTimeoutMs} ms`,
        );
      else if (err instanceof SandboxRefused) watch.abort("refused", err.message);
      else if (err instanceof ServerUnavailable) watch.abort("unavailable", err.message);
      // The session was lost mid-replay (the watchdog's own kills have settled the outcome
      // already): whatever phase, an error, never a notice that passes the change.
      else if (err instanceof EngineAborted)
        watch.abort("refused", endedFromOutside(target.label, err.message));
      else watch.abort("crashed", `the replay failed: ${(err as Error).message}`);
    },
  );
  return watch.outcome;
}
