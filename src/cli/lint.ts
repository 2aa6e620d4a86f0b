/**
 * `migration-warden lint`: resolve inputs, load config from the base, analyse, print one report,
 * exit 0/1/2 (contract "CLI").
 */
import { readFile } from "node:fs/promises";
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
import { warmPostgresParser } from "../core/sql/parse/postgres.js";
import { TOOL } from "../version.js";
import { usageFailure } from "./args.js";
import { LocalRevisions, pathChangeSet, resolveRevisions, UsageError } from "./changeset.js";
import { formatGithub, inertForRunner } from "./format/github.js";
import { formatJson } from "./format/json.js";
import { formatSarif } from "./format/sarif.js";
import { DEFAULT_WIDTH, formatText } from "./format/text.js";
import { useColor } from "./format/style.js";
import { renderReportMarkdown } from "../core/report/markdown.js";
import { Git, GitError } from "./git.js";
import { SchemaCache } from "./schema-cache.js";
import { buildMergedSchema, type MergedSchemaBuilder } from "../core/schema/build.js";
import { cacheEnv } from "./cache-env.js";
import {
  LINT_USAGE,
  parseLintArgs,
  revisionsFirst,
  type FailOn,
  type Format,
  type LintOptions,
} from "./lint-options.js";
import { sameStart, type StartedLint } from "./lint-start.js";

export {
  FAIL_ON,
  FORMATS,
  LINT_USAGE,
  parseLintArgs,
  type FailOn,
  type Format,
  type LintOptions,
} from "./lint-options.js";

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

/**
 * `dynamic`: the sandbox replay, given the environment its cache is chosen from (cacheEnv).
 * `started`: the git work startLint began for these arguments (index.ts), used when it matches.
 */
export async function runLint(
  argv: string[],
  io: Io,
  dynamic?: (env: Io["env"]) => DynamicChecksFactory,
  started?: StartedLint,
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
      started,
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
 * `started`: git work already started for `opts` (startLint), used only when it was started for
 * exactly these options; each part is awaited where it would have run, so errors keep their order.
 * `inRepository`: told the repository before anything is built or replayed.
 */
export async function lint(
  opts: LintOptions,
  dynamic?: DynamicChecksFactory,
  buildMerged?: MergedSchemaBuilder,
  started?: StartedLint,
  inRepository?: (git: Git) => void,
): Promise<Report> {
  const ahead = sameStart(started, opts) ? started : undefined;
  if (started && !ahead) void started.git.then((g) => g?.closeObjects());
  // Git mode resolves its revisions first thing: asked while the work tree is being found. One
  // object reader serves the revisions, the base's configuration and the merged files.
  const git = await (ahead?.git ?? Git.open(opts.cwd, revisionsFirst(opts), { objects: true }));
  try {
    if (git) inRepository?.(git);
    return await lintIn(git, opts, ahead, dynamic, buildMerged);
  } finally {
    git?.closeObjects();
  }
}

async function lintIn(
  git: Git | null,
  opts: LintOptions,
  ahead: StartedLint | undefined,
  dynamic?: DynamicChecksFactory,
  buildMerged?: MergedSchemaBuilder,
): Promise<Report> {
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
    const early = ahead?.revisions ? await ahead.revisions : null;
    const revs =
      early ??
      (await resolveRevisions(git, opts.base, opts.head, (base) => {
        configRead = loadConfig(git, opts, base);
        configRead.catch(() => undefined);
      }));
    if (early && ahead?.baseConfig)
      configRead = loadConfig(git, opts, ahead.baseConfig.base, ahead.baseConfig.bytes);
    config = await (configRead ?? loadConfig(git, opts, revs.base));
    // Listings startLint began for the defaults, when the base had no configuration file.
    const listing = early && ahead?.listing ? await ahead.listing : null;
    const source = new LocalRevisions(git, revs, listing ?? undefined);
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
  // Its first parse (V8's lazy compilation of the WASM, tens of milliseconds) is paid now too,
  // after a turn of the event loop: once the change set's next git process is started, while
  // it runs, instead of in the analysis.
  if (dialects.size > 0)
    loadParsers("postgres")
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(warmPostgresParser, () => undefined);
}

/** --config FILE wins; otherwise the file at the base revision; otherwise the defaults. */
export async function loadConfig(
  git: Git | null,
  opts: Pick<LintOptions, "config" | "configText">,
  base: { ref: string; sha: string } | null,
  /** The file's bytes at `base`, when they are already being read (startLint). */
  read?: Promise<Buffer | null>,
): Promise<Config> {
  if (opts.config !== undefined && opts.configText !== undefined)
    return parseConfig(opts.configText.text, { path: opts.config, ref: opts.configText.ref });
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
  const bytes = await (read ?? git.readAt(base.sha, CONFIG_PATH));
  return parseConfig(bytes === null ? null : bytes.toString("utf8"), { ref: base.ref });
}

export function render(
  report: Report,
  format: Format,
  text: { color: boolean; width?: number } = { color: false },
): string {
  // Every format but github's own workflow commands may be printed in a runner's log.
  switch (format) {
    case "json":
      return inertForRunner(formatJson(report), "json");
    case "sarif":
      return inertForRunner(formatSarif(report), "json");
    case "github":
      return formatGithub(report);
    case "markdown":
      return inertForRunner(
        renderReportMarkdown(report, {
          omittedHint: "`--format text` or `--format json` lists every finding.",
        }).markdown,
        "markdown",
      );
    case "text":
      return inertForRunner(formatText(report, text), "text");
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
