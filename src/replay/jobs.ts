/**
 * Runs one replay job where it belongs (the sandbox worker for PGlite and sql.js, this process for
 * a database server) with the base-state cache: the longest cached prefix of the merged history is
 * restored and only the files after it are read and applied; the new base state, the fresh
 * database (template) and a merged file that does not apply are stored for next time. Used by the
 * lint replay (check.ts) and by drift detection (drift/), which replays up to a live version.
 */
import {
  fingerprintKey,
  prefixKeys,
  templateKey,
  type CacheEntry,
  type SnapshotCache,
} from "./cache.js";
import { decodeSql } from "../core/sql/decode.js";
import { PGLITE_VERSION, SQLJS_VERSION } from "./engines/embedded.js";
import { runOnServer } from "./external/run-on-server.js";
import type { ServerTarget } from "./external/sandbox.js";
import { DEFAULT_MIGRATIONS_TABLE, mentionedExtensions } from "./golang-migrate.js";
import { runInSandbox } from "./run-in-worker.js";
import type { SandboxOutcome } from "./supervise.js";
import type { EngineKind, MigrationText, ReplayJob } from "./types.js";

/** Embedded engines and their versions, for cache keys (servers' states are not cached). */
export const ENGINES: Record<"pglite" | "sqljs", string> = {
  pglite: `pglite@${PGLITE_VERSION}`,
  sqljs: `sql.js@${SQLJS_VERSION}`,
};

/** A file to read: repo-relative path, and its git blob id when the listing gave one. */
export interface BaseFile {
  path: string;
  oid?: string;
}

/** A merged up migration, in golang-migrate order within its list. */
export interface BaseMigration extends BaseFile {
  name: string;
  /** Decimal version. */
  version: string;
}

/** Bytes of base files, in the order asked; called at most once per job. */
export type ReadBase = (files: readonly BaseFile[]) => Promise<Uint8Array[]>;

export interface JobSpec {
  engine: EngineKind;
  /** For a database server (engine postgres-server or mysql-server). */
  target?: ServerTarget;
  directory: string;
  multiStatement: boolean;
  baseFiles: readonly BaseMigration[];
  ups: MigrationText[];
  downs: Array<MigrationText | null>;
  /** Return the base state's fingerprint (drift detection). */
  wantSchema?: boolean;
  /** Postgres search_path for the session (drift: the live URL's). */
  searchPath?: string;
  /** golang-migrate's x-migrations-table (default schema_migrations). */
  migrationsTable?: string;
  /** SQLite: application-registered functions the sandbox stands in for (replay.functions). */
  functions?: string[];
}

export type CachedFailure = Extract<CacheEntry, { kind: "failed" }>["failure"];

export type JobResult =
  | { kind: "ran"; outcome: SandboxOutcome }
  /** The fingerprint asked for (wantSchema, no change on top), from the cache: nothing was run. */
  | { kind: "schema"; entry: Extract<CacheEntry, { kind: "schema" }> }
  /** A merged file that does not apply, remembered from an earlier run: nothing was run. */
  | { kind: "base-failed"; failure: CachedFailure; engine: string }
  /** The merged files could not be read. */
  | { kind: "unreadable"; reason: string };

export interface JobLimits {
  statementTimeoutMs: number;
  budgetMs: number;
  serverGraceMs?: number;
}

/**
 * Fresh databases (the state initdb leaves) by template key. They depend on the engine alone, not
 * on any repository, so the process keeps them besides the cache: a new cache (an app instance,
 * a test) does not pay initdb (seconds in WASM) again.
 */
const templates = new Map<string, Uint8Array>();

async function templateFor(cache: SnapshotCache, key: string): Promise<CacheEntry | null> {
  const cached = await cache.get(key).catch(() => null);
  if (cached) return cached;
  const kept = templates.get(key);
  if (!kept) return null;
  const entry: CacheEntry = { kind: "state", data: kept, extensions: [], files: 0 };
  await cache.set(key, entry).catch(() => undefined);
  return entry;
}

/** The longest prefix of the base with a cache entry, as [number of files, entry]. */
async function longestCached(
  cache: SnapshotCache,
  keys: readonly string[],
): Promise<[number, CacheEntry] | null> {
  const held = await cache.holding(keys).catch(() => new Set<string>());
  for (let i = keys.length - 1; i >= 0; i--) {
    if (!held.has(keys[i]!)) continue;
    // An entry can vanish or fail its checksum between the listing and the read: try shorter.
    const entry = await cache.get(keys[i]!).catch(() => null);
    if (entry) return [i + 1, entry];
  }
  return null;
}

/** The merged files' texts (one readBase call), or why they could not be read. */
async function readBaseTexts(
  toApply: readonly BaseMigration[],
  readBase: ReadBase,
): Promise<MigrationText[] | { reason: string }> {
  if (toApply.length === 0) return [];
  let texts: Uint8Array[];
  try {
    texts = await readBase(
      toApply.map((f) => (f.oid === undefined ? { path: f.path } : { path: f.path, oid: f.oid })),
    );
    if (texts.length !== toApply.length)
      throw new Error(`${texts.length} files came back for ${toApply.length} asked`);
  } catch (err) {
    return { reason: `merged migrations could not be read (${(err as Error).message})` };
  }
  return toApply.map((f, i) => ({
    path: f.path,
    version: f.version,
    text: decodeSql(texts[i]!).text,
  }));
}

export async function runJob(
  spec: JobSpec,
  readBase: ReadBase,
  cache: SnapshotCache,
  limits: JobLimits,
): Promise<JobResult> {
  const migrationsTable = spec.migrationsTable ?? DEFAULT_MIGRATIONS_TABLE;
  const job = (files: MigrationText[]): ReplayJob => {
    const j: ReplayJob = {
      engine: spec.engine,
      directory: spec.directory,
      multiStatement: spec.multiStatement,
      base: { files },
      ups: spec.ups,
      downs: spec.downs,
      extensions: [
        ...new Set(
          spec.ups
            .concat(spec.downs.filter((d) => d !== null))
            .flatMap((m) => mentionedExtensions(m.text)),
        ),
      ],
      wantSnapshot: false,
      wantTemplate: false,
      migrationsTable,
    };
    if (spec.functions?.length) j.functions = [...spec.functions].sort();
    if (spec.wantSchema) j.wantSchema = true;
    if (spec.searchPath !== undefined) j.searchPath = spec.searchPath;
    return j;
  };

  if (spec.target) {
    // A server's state cannot be restored: every replay applies the whole merged history.
    const files = await readBaseTexts(spec.baseFiles, readBase);
    if (!Array.isArray(files)) return { kind: "unreadable", reason: files.reason };
    return { kind: "ran", outcome: await runOnServer(job(files), spec.target, limits) };
  }

  const engineId = ENGINES[spec.engine as keyof typeof ENGINES];
  // A search path changes where unqualified objects go: its states are another engine's.
  // So does another version table name (it is part of every state).
  // PGlite states made since migrations run as the database's owner (engines/pglite-owner.ts):
  // one made as the superuser holds objects the owner cannot alter or drop.
  const engineState = spec.engine === "pglite" ? `${engineId};as=owner` : engineId;
  const stateId =
    (spec.searchPath === undefined
      ? engineState
      : `${engineState};search_path=${spec.searchPath}`) +
    (migrationsTable === DEFAULT_MIGRATIONS_TABLE ? "" : `;migrations_table=${migrationsTable}`) +
    (spec.functions?.length ? `;functions=${[...spec.functions].sort().join(",")}` : "");
  // Keys exist for the files before the first one without a blob id (then nothing is stored).
  const noOid = spec.baseFiles.findIndex((f) => f.oid === undefined);
  const keys = prefixKeys({
    engine: stateId,
    multiStatement: spec.multiStatement,
    files: spec.baseFiles
      .slice(0, noOid === -1 ? undefined : noOid)
      .map((f) => [f.name, f.oid!] as const),
  });
  // Drift asks for the same fingerprint night after night: kept whole, it needs no sandbox.
  const schemaKey =
    spec.wantSchema && spec.ups.length === 0 && keys.length === spec.baseFiles.length
      ? fingerprintKey({
          engine: stateId,
          multiStatement: spec.multiStatement,
          files: spec.baseFiles.map((f) => [f.name, f.oid!] as const),
        })
      : null;
  const known = schemaKey ? await cache.get(schemaKey).catch(() => null) : null;
  if (known?.kind === "schema") return { kind: "schema", entry: known };
  const cached = await longestCached(cache, keys);
  // A failing file fails every history that extends the prefix ending with it.
  if (cached?.[1].kind === "failed")
    return { kind: "base-failed", failure: cached[1].failure, engine: cached[1].engine };
  const restored = cached?.[1].kind === "state" ? cached[1] : undefined;
  let files = await readBaseTexts(spec.baseFiles.slice(restored?.files ?? 0), readBase);
  if (!Array.isArray(files)) return { kind: "unreadable", reason: files.reason };

  const tKey = spec.engine === "pglite" && !restored ? templateKey(engineId) : null;
  const template = tKey ? await templateFor(cache, tKey) : null;
  const sandboxJob: ReplayJob = {
    ...job(files),
    wantSnapshot: keys.length === spec.baseFiles.length && files.length > 0,
    wantTemplate: tKey !== null && template === null,
  };
  if (restored)
    sandboxJob.base.restore = {
      data: restored.data,
      extensions: restored.extensions,
      files: restored.files,
    };
  if (template?.kind === "state") sandboxJob.base.template = template.data;

  let outcome = await runInSandbox(sandboxJob, limits);
  // The sandbox failed before its first statement while starting from a cached state: a state
  // that passed its entry's checksum but does not load (written damaged, or in a form this build
  // cannot read). Left so, every later replay of this base would stop there too, with a mere
  // notice instead of what the replay finds. So the replay runs once more from the merged files
  // on a fresh database, and what it stores (the state, a new template) replaces what failed.
  if (
    outcome.abort?.reason === "crashed" &&
    outcome.abort.phase === "start" &&
    (restored !== undefined || sandboxJob.base.template !== undefined)
  ) {
    const badTemplate = sandboxJob.base.template !== undefined;
    if (badTemplate) templates.delete(tKey!);
    files = await readBaseTexts(spec.baseFiles, readBase);
    if (!Array.isArray(files)) return { kind: "unreadable", reason: files.reason };
    outcome = await runInSandbox(
      {
        ...job(files),
        wantSnapshot: keys.length === spec.baseFiles.length && files.length > 0,
        wantTemplate: badTemplate,
      },
      limits,
    );
  }
  const r = outcome.result;
  if (r && !outcome.abort) {
    const store = async (k: string, e: CacheEntry) => cache.set(k, e).catch(() => undefined);
    if (r.template) {
      templates.set(templateKey(engineId), r.template);
      await store(templateKey(engineId), {
        kind: "state",
        data: r.template,
        extensions: [],
        files: 0,
      });
    }
    if (r.snapshot)
      await store(keys[keys.length - 1]!, {
        kind: "state",
        data: r.snapshot,
        extensions: r.baseExtensions,
        files: r.base.files,
      });
    const failed = r.baseFailure
      ? spec.baseFiles.findIndex((f) => f.path === r.baseFailure!.path)
      : -1;
    if (failed >= 0 && failed < keys.length)
      await store(keys[failed]!, {
        kind: "failed",
        files: failed + 1,
        engine: r.engine,
        failure: r.baseFailure!,
      });
    if (schemaKey && r.baseSchema && !r.baseFailure)
      await store(schemaKey, {
        kind: "schema",
        schema: r.baseSchema,
        engine: r.engine,
        extensions: r.baseExtensions,
        files: r.base.files,
      });
  }
  return { kind: "ran", outcome };
}
