/**
 * The replay itself (runs inside the sandbox worker):
 *   1. base state: restore the longest cached prefix of the merged history (or start empty), then
 *      apply the merged up migrations after it, in order;
 *   2. each new up migration, as golang-migrate runs it, with per-statement locks and timings;
 *   3. the new down migrations in reverse: each must bring back the schema from before its up;
 *      then the ups again: they must apply and end on the same schema as the first time.
 */
import { limitationOf, type Engine, type EngineOptions } from "./engines/engine.js";
import { mentionedExtensions, migrationsTableDdl } from "./golang-migrate.js";
import { changeKey, diffSchemas, type Schema } from "./schema.js";
import {
  emptyReplayResult,
  type EngineKind,
  type FileRun,
  type MigrationText,
  type ReplayJob,
  type ReplayResult,
} from "./types.js";

const DIALECT = {
  pglite: "postgres",
  "postgres-server": "postgres",
  "mysql-server": "mysql",
  sqljs: "sqlite",
} as const satisfies Record<EngineKind, string>;

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
  const { restore, template, files: baseFiles } = job.base;
  const result = emptyReplayResult(
    "",
    {
      files: (restore?.files ?? 0) + baseFiles.length,
      restored: restore?.files ?? 0,
      applied: 0,
      ms: 0,
    },
    union(restore?.extensions ?? [], ...baseFiles.map((f) => mentionedExtensions(f.text))),
  );
  const { progress } = deps;
  progress("start", undefined, undefined);

  const opts: EngineOptions = {
    extensions: union(result.baseExtensions, job.extensions),
    progress,
  };
  if (job.functions?.length) opts.functions = job.functions;
  const from = restore?.data ?? template;
  if (from) opts.snapshot = from;
  else if (job.wantTemplate) opts.wantTemplate = true;
  const engine = await deps.createEngine(opts);
  if (opts.wantTemplate)
    result.template = await (engine.template ? engine.template() : engine.snapshot());
  if (job.searchPath !== undefined) {
    if (!engine.setSearchPath) throw new Error(`${engine.description} has no search_path`);
    await engine.setSearchPath(job.searchPath);
  }
  result.engine = engine.description;
  if (!restore) {
    // golang-migrate creates its version table before the first migration (a restored state has it).
    const table = await engine.runFile(
      {
        path: `(${job.migrationsTable})`,
        version: "0",
        text: migrationsTableDdl(DIALECT[job.engine], job.migrationsTable),
      },
      { phase: "base", observeLocks: false, multiStatement: false },
    );
    // E.g. a search_path whose schema only ops create: the replay goes on without the table.
    if (!table.ok)
      result.notes.push(
        `golang-migrate's version table \`${job.migrationsTable}\` could not be created in the sandbox (${table.error?.message ?? "unknown error"}); migrations that use it fail here.`,
      );
  }
  const apply = (file: MigrationText, phase: "base" | "up" | "down" | "reup") =>
    engine.runFile(file, {
      phase,
      observeLocks: phase === "up",
      multiStatement: job.multiStatement,
    });
  const applyStarted = performance.now();

  try {
    for (const f of baseFiles) {
      const run = await apply(f, "base");
      if (!run.ok) {
        const error = run.error!;
        result.baseFailure = {
          path: f.path,
          line: error.line,
          error: { ...error },
          limitation: limitation(error) !== null,
        };
        return finish();
      }
      result.base.applied++;
    }
    result.base.ms = Math.round(performance.now() - applyStarted);
    if (job.wantSnapshot && baseFiles.length > 0) {
      // A state that cannot be stored (a file name tar cannot hold, a link cycle the merged
      // migrations planted) costs its caching only: failing here would stop this and every later
      // replay of the base before the change runs, and lose what it finds.
      const snapshot = await engine.snapshot().catch(() => undefined);
      if (snapshot) result.snapshot = snapshot;
    }
    deps.partial(result);
    if (job.ups.length === 0) {
      // Nothing on top (drift detection): the base state's fingerprint is the result.
      progress("inspect", undefined, undefined);
      if (job.wantSchema) result.baseSchema = await engine.schema();
      return finish();
    }

    progress("inspect", undefined, undefined);
    await engine.markExistingRelations();
    const states: Schema[] = [await engine.schema()];
    result.baseSchema = states[0]; // the SQL rules' catalog (replay/catalog-schema.ts)

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

  function limitation(err: NonNullable<FileRun["error"]>): string | null {
    return engine.limitation ? engine.limitation(err) : limitationOf(err);
  }

  function stopOnLimitation(run: FileRun): void {
    const reason = limitation(run.error!);
    if (reason) result.limitation = { reason, path: run.path, line: run.error!.line };
  }

  function finish(): ReplayResult {
    result.rolesCreated = engine.rolesCreated();
    result.notes.push(...(engine.notes?.() ?? []));
    return result;
  }
}
