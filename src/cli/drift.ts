/**
 * `migration-warden drift`: is the live database what the merged migrations say it is? Reads
 * golang-migrate's table and the catalogs of the live database (read-only), replays the
 * repository's migrations at --ref up to the live version in the sandbox, and compares
 * (src/replay/drift). Exit 0 in sync, 1 drift / dirty / unknown version, 2 usage, connection or
 * configuration error (contract "Additions").
 */
import { resolve } from "node:path";
import { ConfigError } from "../config/load.js";
import type { DirectoryConfig } from "../config/types.js";
import { DriftError, type LiveLimits } from "../replay/drift/live.js";
import { detectDrift } from "../replay/drift/index.js";
import {
  driftExitCode,
  formatDriftJson,
  formatDriftMarkdown,
  formatDriftText,
  type DriftReport,
} from "../replay/drift/report.js";
import {
  DriftUrlError,
  parseDriftUrl,
  parseMigrationsTable,
  redact,
  scrubCredentials,
  type DriftUrl,
} from "../replay/drift/url.js";
import { TOOL } from "../version.js";
import { parseOptions, usageFailure } from "./args.js";
import { UsageError } from "./changeset.js";
import { Git, GitError } from "./git.js";
import { loadConfig, type Io } from "./lint.js";
import { cacheEnv } from "./cache-env.js";
import { inertForRunner } from "./format/github.js";
import { baseReader, databasesFromEnv, replayCache } from "./replay.js";

export const DRIFT_ENV = "MIGRATION_WARDEN_DRIFT_DATABASE_URL";

export const DRIFT_USAGE = `Usage: migration-warden drift --database-url URL [options]

Compares a live database with what the repository's migrations give at its
version: golang-migrate's dirty flag, a version the repository does not have,
and every schema difference. Read-only: catalog queries in a read-only
transaction. The migrations are replayed in the sandbox (PGlite, sql.js, or for
MySQL the disposable server MIGRATION_WARDEN_DATABASE_URL names).

Options:
  --database-url URL        the live database, as golang-migrate's -database takes it
                            (default: $${DRIFT_ENV}; prefer the variable:
                            a command line is visible to other users)
  --dir PATH                the configured migration directory (required when
                            the configuration has several)
  --ref REF                 the revision whose migrations are expected (default: the
                            base lint would use: merge base with origin/HEAD, else main)
  --config FILE             configuration file (default: .github/migration-warden.yml at --ref)
  --migrations-table NAME   golang-migrate's table (default: the URL's
                            x-migrations-table, else schema_migrations)
  --format FORMAT           text | json | markdown (default: text)
  --cwd DIR                 run as if started in DIR
  -h, --help                show this help

Exit status: 0 = in sync (pending migrations allowed), 1 = drift, dirty or
unknown version, 2 = usage, connection or configuration error.
`;

const FORMATS = ["text", "json", "markdown"] as const;
type Format = (typeof FORMATS)[number];

export interface DriftOptions {
  url: DriftUrl;
  dir?: string;
  ref?: string;
  config?: string;
  format: Format;
  cwd: string;
}

export function parseDriftArgs(
  argv: string[],
  cwd: string,
  env: Record<string, string | undefined>,
): DriftOptions | "help" {
  let parsed;
  try {
    parsed = parseOptions({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        "database-url": { type: "string" },
        dir: { type: "string" },
        ref: { type: "string" },
        config: { type: "string" },
        "migrations-table": { type: "string" },
        format: { type: "string", default: "text" },
        cwd: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    // node's message quotes the argument, which may be a URL or a scheme-less DSN
    // (user:password@tcp(host)/db) with a password.
    throw new UsageError(
      (err as Error).message.replace(/'[^']*(?::\/\/|@)[^']*'/g, "'<database url>'"),
    );
  }
  const v = parsed.values;
  if (v.help) return "help";
  const format = v.format as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")} (got "${v.format}")`);
  const raw = v["database-url"] ?? env[DRIFT_ENV];
  if (raw === undefined || raw.trim() === "")
    throw new UsageError(`--database-url is required (or set ${DRIFT_ENV})`);
  let url: DriftUrl;
  try {
    url = parseDriftUrl(raw);
    if (v["migrations-table"] !== undefined)
      url = { ...url, table: parseMigrationsTable(v["migrations-table"], url.dialect) };
  } catch (err) {
    if (err instanceof DriftUrlError)
      throw new UsageError(
        `${v["database-url"] !== undefined ? "--database-url" : DRIFT_ENV}: ${err.message}`,
      );
    throw err;
  }
  const opts: DriftOptions = {
    url,
    format,
    cwd: v.cwd !== undefined ? resolve(cwd, v.cwd) : cwd,
  };
  if (v.dir !== undefined) opts.dir = v.dir;
  if (v.ref !== undefined) opts.ref = v.ref;
  if (v.config !== undefined) opts.config = resolve(cwd, v.config);
  return opts;
}

/** "./db/migrations/" → "db/migrations", as the configuration normalises paths. */
function normalise(path: string): string {
  const p = path
    .trim()
    .replace(/^\.\/+/, "")
    .replace(/\/+$/, "");
  return p === "." ? "" : p;
}

function chooseDirectory(dirs: readonly DirectoryConfig[], wanted?: string): DirectoryConfig {
  const names = dirs.map((d) => d.path || ".").join(", ");
  if (wanted === undefined) {
    if (dirs.length === 1) return dirs[0]!;
    throw new UsageError(
      `the configuration has several migration directories: pass --dir (one of ${names})`,
    );
  }
  const found = dirs.find((d) => d.path === normalise(wanted));
  if (!found)
    throw new UsageError(`--dir ${wanted} is not a configured migration directory (${names})`);
  return found;
}

/** `io`: where a cache directory refused inside the repository is reported (cacheEnv). */
export async function drift(
  opts: DriftOptions,
  env: Io["env"],
  io: Pick<Io, "stderr"> = { stderr: () => undefined },
): Promise<DriftReport> {
  const git = await Git.open(opts.cwd);
  if (!git)
    throw new UsageError(
      `${opts.cwd} is not inside a git repository: drift replays the repository's migrations at --ref`,
    );
  env = cacheEnv(env, git, io);
  let ref: { ref: string; sha: string };
  if (opts.ref !== undefined) ref = { ref: opts.ref, sha: await git.resolve(opts.ref) };
  else {
    const head = await git.tryResolve("HEAD");
    const base = head ? await git.defaultBase(head) : null;
    if (!base)
      throw new UsageError('no default revision (no origin/HEAD and no "main" branch): pass --ref');
    ref = base;
  }
  const config = await loadConfig(git, { ...(opts.config ? { config: opts.config } : {}) }, ref);
  const directory = chooseDirectory(config.directories, opts.dir);
  const limits: LiveLimits = {
    connectTimeoutMs: 10_000,
    statementTimeoutMs: config.drift.statementTimeoutMs,
    lockTimeoutMs: 5_000,
  };
  return detectDrift({
    url: opts.url,
    cwd: opts.cwd,
    config,
    directory,
    ref,
    entries: await git.listDirectory(ref.sha, directory.path),
    readFiles: baseReader(git, ref.sha),
    cache: replayCache(env),
    databases: databasesFromEnv(env),
    tool: TOOL,
    limits,
  });
}

export async function runDrift(argv: string[], io: Io): Promise<number> {
  let secrets: readonly string[] = [];
  // Known secrets (the URL's password, as written and decoded), and any other URL's by its shape.
  const safe = (message: string) => redact(scrubCredentials(message), secrets);
  const fail = (message: string) => {
    io.stderr(`migration-warden: ${safe(message)}\n`);
    return 2;
  };
  try {
    const opts = parseDriftArgs(argv, io.cwd, io.env);
    if (opts === "help") {
      io.stdout(DRIFT_USAGE);
      return 0;
    }
    secrets = opts.url.secrets;
    const report = await drift(opts, io.env, io);
    // Live database names and migration file names reach the report; it may be a runner's log.
    io.stdout(
      opts.format === "json"
        ? inertForRunner(formatDriftJson(report), "json")
        : opts.format === "markdown"
          ? inertForRunner(formatDriftMarkdown(report), "markdown")
          : inertForRunner(formatDriftText(report), "text"),
    );
    return driftExitCode(report);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(io, safe(err.message), DRIFT_USAGE);
    if (err instanceof DriftError || err instanceof ConfigError || err instanceof GitError)
      return fail(err.message);
    return fail(`internal error: ${(err as Error).stack ?? String(err)}`);
  }
}
