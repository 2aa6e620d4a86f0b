/**
 * Drift detection: the live database against the repository's migrations (issue 13).
 *
 *   1. the live database, read-only: golang-migrate's version and dirty flag, and the schema's
 *      fingerprint (live.ts);
 *   2. the expected schema: the repository's up migrations up to that version, replayed in the
 *      sandbox the replay uses (PGlite, sql.js, or the configured disposable server), with the
 *      same base-state cache, and fingerprinted by the same code (fingerprint/);
 *   3. the comparison (compare.ts) and the report (report.ts).
 */
import type { Config, DirectoryConfig } from "../../config/types.js";
import { parseMigrationName } from "../../core/migrations/filename.js";
import type { TreeEntry } from "../../core/types.js";
import type { SnapshotCache } from "../cache.js";
import { DEFAULT_MIGRATIONS_TABLE } from "../golang-migrate.js";
import type { BaseFile } from "../check.js";
import type { ServerTarget } from "../external/sandbox.js";
import type { DatabaseResolver } from "../external/select.js";
import { runJob, type BaseMigration } from "../jobs.js";
import { namePart, omitTables, type Schema } from "../schema.js";
import type { EngineKind } from "../types.js";
import { compareSchemas } from "./compare.js";
import { DriftError, inspectLive, type LiveLimits, type LiveState } from "./live.js";
import { driftStatus, type DriftReport, type PendingMigration } from "./report.js";
import { redact, type DriftUrl } from "./url.js";

export interface DriftInput {
  url: DriftUrl;
  /** Where relative paths in the URL (SQLite files, certificates) are resolved. */
  cwd: string;
  config: Config;
  directory: DirectoryConfig;
  /** The revision whose migrations are expected. */
  ref: { ref: string; sha: string };
  /** The directory's entries at the revision (non-recursive, like golang-migrate). */
  entries: readonly TreeEntry[];
  /** Bytes of files at the revision, in the order asked (one call). */
  readFiles(files: readonly BaseFile[]): Promise<Uint8Array[]>;
  cache: SnapshotCache;
  /** The disposable servers the replay may use (MySQL needs one). */
  databases: DatabaseResolver;
  tool: { name: string; version: string };
  limits: LiveLimits;
}

interface RepoVersion {
  version: bigint;
  up?: BaseMigration;
  down?: string;
}

/** The versions golang-migrate loads from the directory; refuses what golang-migrate refuses. */
function repoVersions(dir: string, entries: readonly TreeEntry[]): Map<bigint, RepoVersion> {
  const out = new Map<bigint, RepoVersion>();
  for (const e of entries) {
    const parsed = parseMigrationName(e.name);
    if (!parsed || e.kind !== "file") continue;
    const path = dir === "" ? e.name : `${dir}/${e.name}`;
    const v = out.get(parsed.version) ?? { version: parsed.version };
    if ((parsed.direction === "up" ? v.up : v.down) !== undefined)
      throw new DriftError(
        `${dir || "."} at the expected revision has two ${parsed.direction} files for version ${parsed.version}: golang-migrate refuses the directory (duplicate migration file)`,
      );
    if (parsed.direction === "up") {
      v.up = { path, name: e.name, version: parsed.version.toString() };
      if (e.oid) v.up.oid = e.oid;
    } else v.down = path;
    out.set(parsed.version, v);
  }
  return out;
}

const DIALECTS: Record<string, DriftUrl["dialect"]> = {
  postgres: "postgres",
  mysql: "mysql",
  sqlite: "sqlite",
};

/** Where the expected schema is built: the replay's choice for this directory. */
function sandboxFor(input: DriftInput): { engine: EngineKind; target?: ServerTarget } {
  const { directory, url, config } = input;
  if (directory.dialect === "sqlite") return { engine: "sqljs" };
  const dialect = directory.dialect as "postgres" | "mysql";
  const choice = input.databases(dialect, config.replay.databaseUrl);
  if (choice.kind === "none") {
    if (dialect === "postgres") return { engine: "pglite" };
    throw new DriftError(
      `there is no embedded MySQL to replay the migrations in: set MIGRATION_WARDEN_DATABASE_URL to a disposable MySQL database (docs/replay.md, "Replay on a database server")${choice.reason ? `; ${choice.reason}` : ""}`,
    );
  }
  // The replay wipes its database: it must never be the one under inspection.
  const t = choice.target.url;
  if (
    url.dialect !== "sqlite" &&
    t.host.toLowerCase() === url.address.host.toLowerCase() &&
    t.port === url.address.port &&
    t.database === url.address.database
  )
    throw new DriftError(
      `the replay database (${choice.target.label}) is the database under inspection: every replay empties its database, so MIGRATION_WARDEN_DATABASE_URL must name a disposable one`,
    );
  return {
    engine: dialect === "postgres" ? "postgres-server" : "mysql-server",
    target: choice.target,
  };
}

/** The expected schema: the up files up to `upTo`, replayed; and the extensions they create. */
async function expectedSchema(
  input: DriftInput,
  files: BaseMigration[],
): Promise<{ schema: Schema; engine: string; extensions: string[] }> {
  const { engine, target } = sandboxFor(input);
  const { directory, config } = input;
  const result = await runJob(
    {
      engine,
      ...(target ? { target } : {}),
      directory: directory.path,
      multiStatement: directory.dialect === "postgres" && directory.multiStatement,
      baseFiles: files,
      ups: [],
      downs: [],
      wantSchema: true,
      ...(directory.migrationsTable ? { migrationsTable: directory.migrationsTable } : {}),
      ...(engine === "sqljs" && config.replay.functions.length > 0
        ? { functions: config.replay.functions }
        : {}),
      ...(input.url.dialect === "postgres" && input.url.searchPath
        ? { searchPath: input.url.searchPath }
        : {}),
    },
    input.readFiles,
    input.cache,
    { statementTimeoutMs: config.replay.statementTimeoutMs, budgetMs: config.replay.timeBudgetMs },
  );
  const why = "cannot build the expected schema";
  if (result.kind === "schema")
    return {
      schema: result.entry.schema,
      engine: result.entry.engine,
      extensions: result.entry.extensions,
    };
  if (result.kind === "unreadable") throw new DriftError(`${why}: ${result.reason}`);
  if (result.kind === "base-failed") {
    const f = result.failure;
    throw new DriftError(
      `${why}: ${f.path} does not apply in the sandbox (line ${f.line}: ${f.error.message})`,
    );
  }
  const { outcome } = result;
  const r = outcome.result;
  if (outcome.abort || !r) {
    const a = outcome.abort;
    const hint =
      a?.reason === "time-budget" || a?.reason === "statement-timeout"
        ? " (replay.timeBudgetMs and replay.statementTimeoutMs bound it)"
        : "";
    throw new DriftError(
      `${why}: the replay stopped${a?.path ? ` at ${a.path}` : ""}: ${a?.message ?? "no result"}${hint}`,
    );
  }
  if (r.baseFailure) {
    const f = r.baseFailure;
    throw new DriftError(
      `${why}: ${f.path} does not apply in ${r.engine} (line ${f.line}: ${f.error.message})${f.limitation ? "; the sandbox lacks what it needs" : ""}`,
    );
  }
  if (!r.baseSchema) throw new DriftError(`${why}: the replay returned no schema`);
  return { schema: r.baseSchema, engine: r.engine, extensions: r.baseExtensions };
}

/** The sandbox's own version table is bookkeeping, as the live one is (omitted there too). */
function withoutVersionTable(schema: Schema, table: string): Schema {
  const names = Object.values(schema)
    .filter(
      (o) =>
        o.kind === "table" &&
        (o.name === namePart(table) || o.name.endsWith(`.${namePart(table)}`)),
    )
    .map((o) => o.name);
  return omitTables(schema, names);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export async function detectDrift(input: DriftInput): Promise<DriftReport> {
  const { url, directory } = input;
  if (DIALECTS[directory.dialect] === undefined)
    throw new DriftError(
      `${directory.path || "."} is a ${directory.dialect} directory: drift reads postgres, mysql and sqlite databases`,
    );
  if (DIALECTS[directory.dialect] !== url.dialect)
    throw new DriftError(
      `the database URL is ${url.dialect}, but ${directory.path || "."} holds ${directory.dialect} migrations`,
    );
  const versions = repoVersions(directory.path, input.entries);
  const sorted = [...versions.values()].sort((a, b) => (a.version < b.version ? -1 : 1));
  // Fail before replaying anything when the database cannot be read.
  const live: LiveState = await inspectLive(url, input.limits, input.cwd, {
    migrationsAccount: input.config.drift.migrationsAccount,
  });

  const v = live.version;
  const unknownVersion = live.ambiguous || (v !== null && !versions.has(v));
  const upTo = v === null ? [] : sorted.filter((x) => x.version <= v);
  const expectedVersion = upTo.length > 0 ? upTo[upTo.length - 1]!.version : null;
  const pending: PendingMigration[] = sorted
    .filter((x) => v === null || x.version > v)
    .map((x) => ({ version: x.version.toString(), path: x.up?.path ?? x.down! }));
  const files = upTo.flatMap((x) => (x.up ? [x.up] : []));

  const replayed = await expectedSchema(input, files);
  const expected = {
    ...replayed,
    schema: withoutVersionTable(
      replayed.schema,
      input.directory.migrationsTable ?? DEFAULT_MIGRATIONS_TABLE,
    ),
  };
  const notes = [...live.notes];
  const holderName = live.tableSchema === undefined ? undefined : namePart(live.tableSchema);
  const holder = holderName === undefined ? undefined : `schema ${holderName}`;
  if (
    holder &&
    live.schema[holder] &&
    !expected.schema[holder] &&
    !Object.values(live.schema).some((o) => o.name.startsWith(`${holderName}.`))
  ) {
    // A schema made to hold golang-migrate's table and nothing else is bookkeeping too.
    delete live.schema[holder];
    notes.push(`${holder} holds only golang-migrate's table: not compared.`);
  }
  const comparison = compareSchemas(expected.schema, live.schema, {
    ignore: input.config.drift.ignore,
    migrationExtensions: new Set(expected.extensions.map((e) => e.toLowerCase())),
    dialect: url.dialect,
  });

  if (live.dirty)
    notes.push(
      `golang-migrate marks version ${v ?? "(none)"} dirty: its migration failed or was interrupted part way, so the schema may be only partly at that version. Repair it, then run \`migrate force\` with the version the schema is really at.`,
    );
  if (unknownVersion && !live.ambiguous)
    notes.push(
      expectedVersion === null
        ? `The repository has no migration at or below version ${v}: compared with an empty schema.`
        : `Compared with version ${expectedVersion}, the highest the repository has below ${v}.`,
    );
  const { byConfig, operator, engine } = comparison.ignored;
  if (byConfig.length > 0)
    notes.push(`Ignored by drift.ignore: ${plural(byConfig.length, "difference")}.`);
  if (operator.length > 0)
    notes.push(`Not the migrations' (no migration creates them), ignored: ${operator.join(", ")}.`);
  if (engine.length > 0)
    notes.push(
      `Extension versions are not compared (the sandbox's build decides the expected ones): ${engine.join(", ")}.`,
    );
  if (url.ignored.length > 0)
    notes.push(
      `URL parameters not used by drift (server settings are never passed on): ${url.ignored.join(", ")}.`,
    );

  return {
    tool: input.tool,
    database: {
      dialect: url.dialect,
      url: url.redacted,
      version: v === null ? null : v.toString(),
      dirty: live.dirty,
      server: live.server,
    },
    expected: {
      ref: input.ref.ref,
      sha: input.ref.sha,
      version: expectedVersion === null ? null : expectedVersion.toString(),
      engine: expected.engine,
    },
    status: driftStatus({
      dirty: live.dirty,
      unknownVersion,
      differences: comparison.differences,
    }),
    pending,
    differences: comparison.differences,
    notes: notes.map((n) => redact(n, url.secrets)),
  };
}
