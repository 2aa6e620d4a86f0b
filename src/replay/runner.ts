/**
 * The replay itself (runs inside the sandbox worker):
 *   1. base state: restore the cached snapshot, or apply every merged up migration in order;
 *   2. each new up migration, as golang-migrate runs it, with per-statement locks and timings;
 *   3. the new down migrations in reverse: each must bring back the schema from before its up;
 *      then the ups again: they must apply and end on the same schema as the first time.
 */
import { limitationOf, type Engine, type EngineOptions } from "./engines/engine.js";
import { mentionedExtensions } from "./golang-migrate.js";
import { changeKey, diffSchemas, type Schema } from "./schema.js";
import type { FileRun, MigrationText, ReplayJob, ReplayResult } from "./types.js";

export interface RunnerDeps {
  createEngine(opts: EngineOptions): Promise<Engine>;
  progress: EngineOptions["progress"];
  /** Called after each file with the result so far (the host keeps it if the worker is stopped). */
  partial(result: ReplayResult): void;
}

function union(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

export async function runReplay(job: ReplayJob, deps: RunnerDeps): Promise<ReplayResult> {
  const result: ReplayResult = {
    engine: "",
    base: { files: 0, from: job.base.kind, ms: 0 },
    ups: [],
    downs: [],
    reups: [],
    downChecks: [],
    reupDifferences: null,
    schemaDiff: null,
    rolesCreated: [],
    notes: [],
    baseExtensions: [],
  };
  const { progress } = deps;
  progress("start", undefined, undefined);

  let engine: Engine;
  if (job.base.kind === "snapshot") {
    result.baseExtensions = job.base.extensions;
    result.base.files = job.base.files;
    engine = await deps.createEngine({
      snapshot: job.base.data,
      extensions: union(job.base.extensions, job.extensions),
      progress,
    });
  } else {
    result.baseExtensions = union(...job.base.files.map((f) => mentionedExtensions(f.text)));
    result.base.files = job.base.files.length;
    const opts: EngineOptions = {
      extensions: union(result.baseExtensions, job.extensions),
      progress,
    };
    if (job.base.template) opts.snapshot = job.base.template;
    engine = await deps.createEngine(opts);
    if (job.wantTemplate && !job.base.template) result.template = await engine.snapshot();
  }
  result.engine = engine.description;
  const apply = (file: MigrationText, phase: "base" | "up" | "down" | "reup") =>
    engine.runFile(file, {
      phase,
      observeLocks: phase === "up",
      multiStatement: job.multiStatement,
    });
  const applyStarted = performance.now();

  try {
    if (job.base.kind === "files") {
      for (const f of job.base.files) {
        const run = await apply(f, "base");
        if (!run.ok) {
          const error = run.error!;
          result.baseFailure = {
            path: f.path,
            line: error.line,
            error: { ...error },
            limitation: limitationOf(error) !== null,
          };
          return finish();
        }
      }
      if (job.wantSnapshot) result.snapshot = await engine.snapshot();
    }
    result.base.ms = Math.round(performance.now() - applyStarted);
    deps.partial(result);

    progress("inspect", undefined, undefined);
    await engine.markExistingRelations();
    const states: Schema[] = [await engine.schema()];

    for (const up of job.ups) {
      const run = await apply(up, "up");
      result.ups.push(run);
      deps.partial(result);
      if (!run.ok) {
        stopOnLimitation(run);
        return finish();
      }
      progress("inspect", undefined, undefined);
      states.push(await engine.schema());
    }
    result.schemaDiff = diffSchemas(states[0]!, states[states.length - 1]!);

    const reported = new Set<string>();
    let downsComplete = true;
    for (let i = job.ups.length - 1; i >= 0; i--) {
      const down = job.downs[i];
      if (!down) {
        result.notes.push(
          `Down replay stopped at version ${job.ups[i]!.version}: it has no down file, so \`migrate down\` would only move the version.`,
        );
        downsComplete = false;
        break;
      }
      const run = await apply(down, "down");
      result.downs.push(run);
      deps.partial(result);
      if (!run.ok) {
        stopOnLimitation(run);
        downsComplete = false;
        break;
      }
      progress("inspect", undefined, undefined);
      const differences = diffSchemas(states[i]!, await engine.schema()).filter(
        (c) => !reported.has(changeKey(c)),
      );
      for (const c of differences) reported.add(changeKey(c));
      if (differences.length > 0)
        result.downChecks.push({ path: down.path, version: down.version, differences });
    }
    if (downsComplete && !result.limitation) {
      let ok = true;
      for (const up of job.ups) {
        const run = await apply(up, "reup");
        result.reups.push(run);
        deps.partial(result);
        if (!run.ok) {
          ok = false;
          break;
        }
      }
      if (ok) {
        progress("inspect", undefined, undefined);
        result.reupDifferences = diffSchemas(states[states.length - 1]!, await engine.schema());
      }
    }
    return finish();
  } finally {
    await engine.close().catch(() => undefined);
  }

  function stopOnLimitation(run: FileRun): void {
    const reason = limitationOf(run.error!);
    if (reason) result.limitation = { reason, path: run.path, line: run.error!.line };
  }

  function finish(): ReplayResult {
    result.rolesCreated = engine.rolesCreated();
    return result;
  }
}
