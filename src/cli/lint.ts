/**
 * `migration-warden lint`: resolve inputs, load config from the base, analyse, print one report,
 * exit 0/1/2 (contract "CLI").
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ConfigError, parseConfig } from "../config/load.js";
import { CONFIG_PATH, type Config, type DirectoryConfig } from "../config/types.js";
import { buildChangeSet, listMigrationChanges } from "../changeset/build.js";
import type { BaseFiles, DynamicChecksFactory } from "../changeset/source.js";
import { analyze } from "../core/analyze.js";
import {
  SEVERITY_RANK,
  type ChangedFile,
  type ChangeSet,
  type Dialect,
  type Report,
  type Severity,
} from "../core/types.js";
import { directoryOf } from "../core/migrations/directory.js";
import { loadParsers } from "../core/sql/parse/index.js";
import { TOOL } from "../version.js";
import { parseOptions, usageFailure } from "./args.js";
import {
  LocalRevisions,
  pathChangeSet,
  resolveRevisions,
  revisionsToResolve,
  UsageError,
} from "./changeset.js";
import { formatGithub } from "./format/github.js";
import { formatJson } from "./format/json.js";
import { formatSarif } from "./format/sarif.js";
import { DEFAULT_WIDTH, formatText } from "./format/text.js";
import { useColor } from "./format/style.js";
import { renderReportMarkdown } from "../core/report/markdown.js";
import { Git, GitError } from "./git.js";
import { SchemaCache } from "./schema-cache.js";
import { buildMergedSchema, type MergedSchemaBuilder } from "../core/schema/build.js";
import { cacheEnv } from "./cache-env.js";

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whether stdout is a terminal (colours). */
  isTTY: boolean;
  /** The terminal's width when stdout is one (tables fit into it). */
  columns?: number;
  cwd: string;
  env: Record<string, string | undefined>;
}

export const LINT_USAGE = `Usage: migration-warden lint [options] [PATH...]

Checks golang-migrate migrations: file names, pairing, ordering, edits to merged
migrations, and risky SQL.

Git mode (no PATH): compares --base with --head.
  --base REF        base revision (default: merge base with origin/HEAD, else main)
  --head REF        head revision (default: the working tree, uncommitted and
                    untracked files included)
PATH mode: lints the given files and directories alone (no merged-migration checks).

Options:
  --config FILE     configuration file (default: ${CONFIG_PATH} at the base)
  --format FORMAT   text | json | sarif | github | markdown (default: text)
  --fail-on LEVEL   error | warning | notice | never (default: error)
  --cwd DIR         run as if started in DIR
  --no-replay       do not run migrations in the sandbox database
  -h, --help        show this help

Exit status: 0 = nothing at or above --fail-on, 1 = findings at or above it,
2 = usage, configuration or git error.
`;

export const FORMATS = ["text", "json", "sarif", "github", "markdown"] as const;
export type Format = (typeof FORMATS)[number];
export const FAIL_ON = ["error", "warning", "notice", "never"] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface LintOptions {
  base?: string;
  head?: string;
  config?: string;
  format: Format;
  failOn: FailOn;
  cwd: string;
  replay: boolean;
  paths: string[];
}

export function parseLintArgs(argv: string[], cwd: string): LintOptions | "help" {
  const parsed = parseOptions({
    args: argv,
    allowPositionals: true,
    options: {
      base: { type: "string" },
      head: { type: "string" },
      config: { type: "string" },
      format: { type: "string", default: "text" },
      "fail-on": { type: "string", default: "error" },
      cwd: { type: "string" },
      "no-replay": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const v = parsed.values;
  if (v.help) return "help";
  const format = v.format as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")} (got "${v.format}")`);
  const failOn = v["fail-on"] as FailOn;
  if (!FAIL_ON.includes(failOn))
    throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(", ")} (got "${v["fail-on"]}")`);
  const paths = parsed.positionals;
  if (paths.length > 0 && v.head !== undefined) {
    throw new UsageError(
      "--head cannot be combined with PATH arguments (PATH mode lints files as they are on disk)",
    );
  }
  const opts: LintOptions = {
    format,
    failOn,
    cwd: v.cwd !== undefined ? resolve(cwd, v.cwd) : cwd,
    replay: !v["no-replay"],
    paths,
  };
  if (v.base !== undefined) opts.base = v.base;
  if (v.head !== undefined) opts.head = v.head;
  if (v.config !== undefined) opts.config = resolve(cwd, v.config);
  return opts;
}

/** `dynamic`: the sandbox replay, given the environment its cache is chosen from (cacheEnv). */
export async function runLint(
  argv: string[],
  io: Io,
  dynamic?: (env: Io["env"]) => DynamicChecksFactory,
): Promise<number> {
  try {
    const opts = parseLintArgs(argv, io.cwd);
    if (opts === "help") {
      io.stdout(LINT_USAGE);
      return 0;
    }
    // The caches' directory is known to be safe only once the repository is found (cacheEnv):
    // both are made from `env` after that.
    let env = io.env;
    let schemas: MergedSchemaBuilder | undefined;
    const buildMerged: MergedSchemaBuilder = (directory, files) =>
      (schemas ??= SchemaCache.fromEnv(env)?.builder() ?? buildMergedSchema)(directory, files);
    const report = await lint(
      opts,
      dynamic && ((base) => dynamic(env)(base)),
      buildMerged,
      (git) => (env = cacheEnv(env, git, io)),
    );
    io.stdout(render(report, opts.format, { color: useColor(io), width: terminalWidth(io) }));
    return exitCode(report, opts.failOn);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(io, err.message, LINT_USAGE);
    if (err instanceof ConfigError || err instanceof GitError) {
      io.stderr(`migration-warden: ${err.message}\n`);
      return 2;
    }
    io.stderr(`migration-warden: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 2;
  }
}

/**
 * `buildMerged`: how merged histories become schemas (the CLI's disk cache; default: no cache).
 * `inRepository`: told the repository before anything is built or replayed.
 */
export async function lint(
  opts: LintOptions,
  dynamic?: DynamicChecksFactory,
  buildMerged?: MergedSchemaBuilder,
  inRepository?: (git: Git) => void,
): Promise<Report> {
  // Git mode resolves its revisions first thing: asked while the work tree is being found.
  const git = await Git.open(opts.cwd, revisionsFirst(opts));
  if (git) inRepository?.(git);
  let changeSet: ChangeSet;
  let config: Config;
  let directories: DirectoryConfig[] | undefined;
  /** The merged files (git mode), or the history beside a lone file read from disk (PATH mode). */
  let baseFiles: BaseFiles;

  if (opts.paths.length === 0) {
    if (!git)
      throw new UsageError(
        `${opts.cwd} is not inside a git repository; pass PATH arguments to lint files alone`,
      );
    // The configuration is read from the base while the merge base is computed (with --base,
    // the base is known first); errors still come in the order the steps are written.
    let configRead: Promise<Config> | undefined;
    const revs = await resolveRevisions(git, opts.base, opts.head, (base) => {
      configRead = loadConfig(git, opts, base);
      configRead.catch(() => undefined);
    });
    config = await (configRead ?? loadConfig(git, opts, revs.base));
    const source = new LocalRevisions(git, revs);
    source.prefetchBase(config.directories.map((d) => d.path));
    baseFiles = source;
    const listed = await listMigrationChanges(source, config.directories);
    warmParsers(config.directories, listed.changes);
    changeSet = await buildChangeSet(source, config, listed);
  } else {
    let base: { ref: string; sha: string } | null = null;
    if (git && opts.config === undefined) {
      // One git process for every revision (asked ahead by Git.open), as in git mode.
      const known = await git.resolveMany(revisionsFirst(opts));
      if (opts.base !== undefined) {
        const sha = known.get(opts.base);
        if (!sha)
          throw new GitError(
            `unknown revision "${opts.base}" (not a branch, tag or commit in ${git.root})`,
          );
        base = { ref: opts.base, sha };
      } else if (known.get("HEAD")) {
        // The contract's default base (Git.defaultBase): the merge base with origin/HEAD, else main.
        const ref = ["origin/HEAD", "main"].find((r) => known.get(r));
        if (ref !== undefined)
          base = { ref, sha: await git.mergeBase(known.get(ref)!, known.get("HEAD")!) };
      }
    }
    config = await loadConfig(git, opts, base);
    const input = await pathChangeSet(opts.cwd, git?.root ?? opts.cwd, opts.paths, config);
    changeSet = input.changeSet;
    directories = input.directories;
    baseFiles = input.baseFiles;
  }

  const analysis = await analyze(config, changeSet, {
    tool: TOOL,
    ...(directories ? { directories } : {}),
    dynamic: opts.replay && dynamic ? dynamic(baseFiles) : [],
    ...(buildMerged ? { buildMerged } : {}),
  });
  return analysis.report;
}

/**
 * The revisions a lint resolves first thing, so Git.open can ask them beside its own process: git
 * mode's (resolveRevisions); PATH mode's when the configuration comes from the base (the given
 * one, or HEAD and the default base's candidates).
 */
function revisionsFirst(opts: LintOptions): string[] {
  if (opts.paths.length === 0) return revisionsToResolve(opts.base, opts.head);
  if (opts.config !== undefined) return [];
  return opts.base !== undefined ? [opts.base] : ["HEAD", "origin/HEAD", "main"];
}

/**
 * Start loading libpg-query's WASM (read, compile, instantiate: asynchronous, partly on V8's
 * background threads) while the change set's git processes run, when the change has SQL for a
 * Postgres-family directory: the analysis would load it first thing. Loaded once per process; a
 * failure is the analysis's to report, when it asks for the same load.
 */
function warmParsers(dirs: readonly DirectoryConfig[], changes: readonly ChangedFile[]): void {
  const dialects = new Set<Dialect>();
  for (const c of changes) {
    if (c.status === "removed" || !c.path.endsWith(".sql")) continue;
    const dialect = directoryOf(c.path, dirs)?.dialect;
    if (dialect === "postgres" || dialect === "cockroachdb") dialects.add(dialect);
  }
  for (const d of dialects) loadParsers(d).catch(() => undefined);
}

/** --config FILE wins; otherwise the file at the base revision; otherwise the defaults. */
export async function loadConfig(
  git: Git | null,
  opts: Pick<LintOptions, "config">,
  base: { ref: string; sha: string } | null,
): Promise<Config> {
  if (opts.config !== undefined) {
    let text: string;
    try {
      text = await readFile(opts.config, "utf8");
    } catch (err) {
      throw new UsageError(
        `cannot read --config ${opts.config}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    return parseConfig(text, { path: opts.config, ref: "local file" });
  }
  if (!git || !base) return parseConfig(null, { ref: "defaults" });
  const bytes = await git.readAt(base.sha, CONFIG_PATH);
  return parseConfig(bytes === null ? null : bytes.toString("utf8"), { ref: base.ref });
}

export function render(
  report: Report,
  format: Format,
  text: { color: boolean; width?: number } = { color: false },
): string {
  switch (format) {
    case "json":
      return formatJson(report);
    case "sarif":
      return formatSarif(report);
    case "github":
      return formatGithub(report);
    case "markdown":
      return renderReportMarkdown(report, {
        omittedHint: "`--format text` or `--format json` lists every finding.",
      }).markdown;
    case "text":
      return formatText(report, text);
  }
}

/** Tables fit the terminal; piped output gets COLUMNS or a roomy default. */
export function terminalWidth(io: Pick<Io, "isTTY" | "columns" | "env">): number {
  if (io.isTTY && io.columns !== undefined && io.columns > 0) return io.columns;
  const env = Number(io.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : DEFAULT_WIDTH;
}

export function exitCode(report: Report, failOn: FailOn): number {
  if (failOn === "never") return 0;
  const threshold = SEVERITY_RANK[failOn as Severity];
  const failing = report.findings.some(
    (f) => !f.suppressed && SEVERITY_RANK[f.severity] >= threshold,
  );
  return failing || report.incomplete.length > 0 ? 1 : 0;
}
