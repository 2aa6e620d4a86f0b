/**
 * `createReplayCheck`: the sandbox replay as a DynamicCheck for core/analyze.ts. Adapters supply
 * how to read base files in bulk (CLI: one `git cat-file --batch`; app: one GraphQL request per
 * directory) and a snapshot cache.
 */
import type { DynamicCheck, DynamicCheckInput, DynamicCheckResult } from "../core/analyze.js";
import type { MergedSchema } from "../core/schema/merged.js";
import type { DirectoryModel, MigrationFile } from "../core/migrations/directory.js";
import { isNewVersion } from "../core/migrations/directory.js";
import { whyNotAnalyzable } from "../core/migrations/analyzable.js";
import { MemoryCache, type SnapshotCache } from "./cache.js";
import { baseFacts, replayCatalog } from "./catalog-schema.js";
import type { ServerTarget } from "./external/sandbox.js";
import type { DatabaseResolver } from "./external/select.js";
import { runJob, type BaseFile, type BaseMigration, type JobLimits } from "./jobs.js";
import { reportReplay, skipped, type ReplayFinding, type ReplayPlan } from "./report.js";
import {
  emptyReplayResult,
  type EngineKind,
  type MigrationText,
  type ReplayResult,
} from "./types.js";

export type { BaseFile } from "./jobs.js";
export { ENGINES } from "./jobs.js";

export interface ReplayCheckOptions {
  /**
   * Bytes of base files, in the order asked. Called once per directory for the replay, and only
   * for the files after the longest cached prefix, so an adapter can read them all at once; once
   * more when the replay gives the SQL rules no catalog, for the merged up files it did not read
   * (catalog-schema.ts `baseFacts`). Throwing skips the replay of that directory with a notice.
   */
  readBase(files: readonly BaseFile[]): Promise<Uint8Array[]>;
  /** Where base states are kept between runs (default: in memory, 256 MiB). */
  cache?: SnapshotCache;
  /**
   * Which database server a postgres or mysql directory replays on (external/select.ts). Without
   * it, postgres uses PGlite and mysql is not replayed.
   */
  databases?: DatabaseResolver;
  /**
   * On a database server, how long after replay.statementTimeoutMs the watchdog ends a statement
   * the server did not stop itself (a migration can turn the server's timeout off). Default
   * SERVER_GRACE_MS (5 s); the tests of that case shorten it to wait less.
   */
  serverGraceMs?: number;
}

interface Prepared {
  plan: ReplayPlan;
  engine: EngineKind;
  /** Set for a database server (engine postgres-server or mysql-server). */
  target?: ServerTarget;
  model: DirectoryModel;
  ups: MigrationText[];
  downs: Array<MigrationText | null>;
  baseFiles: MigrationFile[];
  /** golang-migrate's version table (directories[].migrationsTable). */
  migrationsTable?: string;
  /** SQLite: replay.functions. */
  functions?: string[];
}

type Preparation =
  | { kind: "none" }
  /** Not replayed (`finding` says why, if it is worth a notice): `baseFiles` is the history. */
  | { kind: "skip"; finding?: ReplayFinding; baseFiles: readonly MigrationFile[] }
  | { kind: "run"; p: Prepared };

function versionOrder(a: MigrationFile, b: MigrationFile): number {
  const va = a.parsed!.version;
  const vb = b.parsed!.version;
  return va < vb ? -1 : va > vb ? 1 : 0;
}

/** Up/down files golang-migrate loads from a listing; null with the reason when it refuses. */
function loaded(
  files: readonly MigrationFile[],
): { ups: MigrationFile[]; downs: MigrationFile[] } | string {
  const seen = new Set<string>();
  for (const f of files) {
    if (!f.parsed) continue;
    const k = `${f.parsed.version}:${f.parsed.direction}`;
    if (seen.has(k))
      return `duplicate migration version ${f.parsed.version} (${f.parsed.direction}): golang-migrate refuses the directory`;
    seen.add(k);
  }
  const usable = files.filter((f) => f.parsed && f.kind === "file");
  return {
    ups: usable.filter((f) => f.parsed!.direction === "up").sort(versionOrder),
    downs: usable.filter((f) => f.parsed!.direction === "down"),
  };
}

function prepare(
  model: DirectoryModel,
  input: DynamicCheckInput,
  databases: DatabaseResolver | undefined,
): Preparation {
  const dir = model.config;
  const head = loaded(model.head);
  const newUps =
    typeof head === "string"
      ? model.head.filter(
          (f) => f.parsed?.direction === "up" && f.change && isNewVersion(model, f.parsed.version),
        )
      : head.ups.filter((f) => model.mode === "paths" || isNewVersion(model, f.parsed!.version));
  if (newUps.length === 0) return { kind: "none" };
  const first = newUps[0]!.path;
  // PATH mode: the lower-versioned files beside the given ones stand in for the merged history.
  const history = model.mode === "paths" ? (model.history ?? []) : model.base;
  const baseLoaded = loaded(history);
  const skip = (message?: string): Preparation => ({
    kind: "skip",
    ...(message !== undefined ? { finding: skipped(first, message) } : {}),
    // A history golang-migrate refuses has no order for the static model to follow either.
    baseFiles: typeof baseLoaded === "string" ? [] : baseLoaded.ups,
  });

  let engine: EngineKind;
  let target: ServerTarget | undefined;
  const notes: string[] = [];
  if (dir.dialect === "postgres" || dir.dialect === "mysql") {
    const choice = databases?.(dir.dialect, input.config.replay.databaseUrl) ?? { kind: "none" };
    if (choice.kind === "server") {
      engine = dir.dialect === "postgres" ? "postgres-server" : "mysql-server";
      target = choice.target;
    } else if (dir.dialect === "postgres") {
      engine = "pglite";
      if (choice.reason) notes.push(`Not replayed on a database server: ${choice.reason}.`);
    } else
      return skip(
        choice.reason
          ? `Replay skipped: ${choice.reason}; there is no embedded MySQL.`
          : "Replay skipped: there is no embedded MySQL. To replay MySQL migrations, point replay.databaseUrl at a disposable MySQL server (docs/replay.md).",
      );
  } else if (dir.dialect === "sqlite") engine = "sqljs";
  else return skip(); // no engine (ClickHouse, CockroachDB): the static model only

  if (typeof head === "string") return skip(`Replay skipped: ${head}.`);
  if (typeof baseLoaded === "string")
    return skip(
      `Replay skipped: the ${model.mode === "paths" ? "files before the given ones in the directory have" : "merged directory has"} a ${baseLoaded}.`,
    );
  if (model.mode === "paths" && baseLoaded.ups.length > 0)
    notes.push(
      `PATH mode: the ${baseLoaded.ups.length} up file(s) of ${dir.path || "."} with lower versions on disk ran first, as the history the given files follow.`,
    );

  const text = (f: MigrationFile): MigrationText | null => {
    const src = input.sources.get(f.path);
    // Files the core cannot analyse (too large, binary, symlinks) are reported by the core.
    if (!src || whyNotAnalyzable(f, model.contents.get(f.path), input.config.limits.maxFileBytes))
      return null;
    return { path: f.path, version: f.parsed!.version.toString(), text: src.text };
  };
  const ups: MigrationText[] = [];
  const downs: Array<MigrationText | null> = [];
  for (const f of newUps) {
    const up = text(f);
    if (up === null) return { kind: "none" };
    ups.push(up);
    const downFile = head.downs.find((d) => d.parsed!.version === f.parsed!.version);
    if (!downFile) {
      downs.push(null);
      continue;
    }
    const down = text(downFile);
    if (down === null) return { kind: "none" };
    downs.push(down);
  }

  const strip = (m: MigrationText) => ({ path: m.path, version: m.version });
  return {
    kind: "run",
    p: {
      engine,
      ...(target ? { target } : {}),
      model,
      ups,
      downs,
      baseFiles: baseLoaded.ups,
      ...(dir.migrationsTable ? { migrationsTable: dir.migrationsTable } : {}),
      ...(engine === "sqljs" && input.config.replay.functions.length > 0
        ? { functions: input.config.replay.functions }
        : {}),
      plan: {
        directory: dir.path,
        dialect: dir.dialect,
        multiStatement: dir.dialect === "postgres" && dir.multiStatement,
        ups: ups.map(strip),
        downs: downs.map((d) => (d ? strip(d) : null)),
        baseFiles: baseLoaded.ups.length,
        notes,
      },
    },
  };
}

export function createReplayCheck(options: ReplayCheckOptions): DynamicCheck {
  const cache = options.cache ?? new MemoryCache();
  return {
    name: "replay",
    async run(input: DynamicCheckInput): Promise<DynamicCheckResult> {
      const result: DynamicCheckResult = { findings: [], sections: [] };
      const { replay } = input.config;
      if (!replay.enabled) return result;
      const deadline = performance.now() + replay.timeBudgetMs;

      for (const model of input.models) {
        const prep = prepare(model, input, options.databases);
        if (prep.kind === "none") continue;
        const base = baseFacts(model.config, options.readBase);
        // The adapter did not read the merged history (GitHub); PATH mode has none to read.
        const needMerged = !input.changeSet.mergedUps && model.mode === "git";
        if (prep.kind === "skip") {
          if (prep.finding) result.findings.push(prep.finding);
          if (needMerged) await base.readRest(prep.baseFiles);
          (result.bases ??= []).push(base.facts(null));
          continue;
        }
        const { findings, section, catalog } = await replayDirectory(prep.p, base.readBase, cache, {
          statementTimeoutMs: replay.statementTimeoutMs,
          budgetMs: deadline - performance.now(),
          ...(options.serverGraceMs === undefined ? {} : { serverGraceMs: options.serverGraceMs }),
        });
        // No catalog (a dialect without one, a base that failed or was cut short, the budget
        // spent): the static model then, from every merged up file, read now if the replay did
        // not. Rules that stay silent without a schema (fk-without-index, dml-without-where's
        // NOT NULL key) would otherwise pass on one evaluation what another one flags.
        if (needMerged && !catalog) await base.readRest(prep.p.baseFiles);
        result.findings.push(...findings);
        if (section) result.sections.push(section);
        (result.bases ??= []).push(base.facts(catalog));
      }
      return result;
    },
  };
}

async function replayDirectory(
  p: Prepared,
  readBase: ReplayCheckOptions["readBase"],
  cache: SnapshotCache,
  limits: JobLimits,
): Promise<{
  findings: ReplayFinding[];
  section?: DynamicCheckResult["sections"][number];
  catalog?: MergedSchema | null;
}> {
  const first = p.ups[0]!.path;
  if (limits.budgetMs <= 0)
    return {
      findings: [
        skipped(
          first,
          "Replay skipped: the replay time budget (replay.timeBudgetMs) was used up by other directories.",
        ),
      ],
    };
  const result = await runJob(
    {
      engine: p.engine,
      ...(p.target ? { target: p.target } : {}),
      directory: p.plan.directory,
      multiStatement: p.plan.multiStatement,
      baseFiles: p.baseFiles.map((f) => {
        const b: BaseMigration = {
          path: f.path,
          name: f.name,
          version: f.parsed!.version.toString(),
        };
        if (f.oid !== undefined) b.oid = f.oid;
        return b;
      }),
      ups: p.ups,
      downs: p.downs,
      ...(p.migrationsTable ? { migrationsTable: p.migrationsTable } : {}),
      ...(p.functions ? { functions: p.functions } : {}),
    },
    readBase,
    cache,
    limits,
  );
  if (result.kind === "unreadable")
    return { findings: [skipped(first, `Replay skipped: ${result.reason}.`)] };
  if (result.kind === "schema") throw new Error("the replay of a change got a fingerprint only");
  if (result.kind === "base-failed") {
    // Reported as the run that found it was, so a second evaluation says the same thing.
    const cachedFailure: ReplayResult = {
      ...emptyReplayResult(
        result.engine,
        { files: p.plan.baseFiles, restored: 0, applied: 0, ms: 0, failureCached: true },
        [],
      ),
      baseFailure: result.failure,
    };
    return reportReplay(p.plan, { result: cachedFailure, ms: 0 });
  }
  const catalog = replayCatalog(result.outcome.result, p.model.config.dialect);
  return { ...reportReplay(p.plan, result.outcome), catalog };
}
