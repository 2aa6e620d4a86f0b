/**
 * The git half of a lint's first steps, started before the analysis's modules initialise. Those
 * modules (the configuration's zod schemas, the rules, the SQL parsers) take tens of milliseconds
 * to initialise, and the first git rounds (opening the repository, resolving the revisions, the
 * merge base, the base's configuration file) need none of them: started first, the processes run
 * on another core meanwhile. This module imports git and the option parser only.
 *
 * What is started is exactly what lint() would start itself, from the same arguments; lint()
 * uses it only for the options it was started with (sameStart) and awaits each part where it
 * would have run it, so errors come out as and when they did.
 */
import { Git, type RawChange } from "./git.js";
import { CONFIG_PATH, DEFAULT_DIRECTORY_PATH } from "../config/types.js";
import type { DirectoryShape, TreeEntry } from "../core/types.js";
import { parseLintArgs, revisionsFirst, type LintOptions } from "./lint-options.js";
import { resolveRevisions, type GitRevisions } from "./revisions.js";

export interface StartedLint {
  /** The options it was started for. */
  readonly opts: LintOptions;
  /** Git.open for them. */
  readonly git: Promise<Git | null>;
  /** Git mode: resolveRevisions; null when there is no repository (lint() reports it). */
  readonly revisions?: Promise<GitRevisions | null>;
  /**
   * Git mode with the configuration from the base: its bytes there, read as soon as the base was
   * known (what loadConfig reads), with the base they were read at.
   */
  baseConfig?: { base: { ref: string; sha: string }; bytes: Promise<Buffer | null> };
  /**
   * Git mode when the base has no configuration file (and there is no --config): the listings
   * the defaults' directory needs, started as soon as that was known (EarlyListing); null when
   * nothing was started.
   */
  listing?: Promise<EarlyListing | null>;
}

/**
 * The base's listing of directories and the change's diff, started before the configuration's
 * modules initialise. Used by LocalRevisions only for exactly the revision and paths it would ask
 * git for itself, each once; anything else asks git as before.
 */
export interface EarlyListing {
  /** The commit the directories were listed at (the base). */
  readonly base: string;
  /** Git.readDirectory(base, dir) of each directory. */
  readonly trees: Map<string, Promise<{ shape: DirectoryShape; entries: TreeEntry[] | null }>>;
  /** Git.diff(from, head, dirs): what it was asked and its answer. */
  diff: {
    readonly from: string;
    readonly head: string | null;
    readonly dirs: readonly string[];
    readonly changes: Promise<RawChange[]>;
  } | null;
}

/**
 * The listings a lint with the defaults asks for first (listMigrationChanges: the directory and
 * the configuration's own directory; prefetchBase: the directory at the base).
 */
function startListing(git: Git, revs: GitRevisions, dirs: readonly string[]): EarlyListing {
  const configDir = CONFIG_PATH.slice(0, CONFIG_PATH.lastIndexOf("/"));
  const trees = new Map(dirs.map((d) => [d, git.readDirectory(revs.base.sha, d)] as const));
  const changeDirs = [...dirs, configDir];
  const changes = git.diff(revs.from, revs.head?.sha ?? null, changeDirs);
  // Awaited where lint() would have run them, which rethrows; until then (or if the lint never
  // uses them) a failure is not unhandled.
  for (const p of [...trees.values(), changes]) p.catch(() => undefined);
  return {
    base: revs.base.sha,
    trees,
    diff: { from: revs.from, head: revs.head?.sha ?? null, dirs: changeDirs, changes },
  };
}

/**
 * Start the git work of `lint` with `argv` in `cwd`, or nothing when the arguments ask for no
 * lint (help) or are wrong (the lint then reports them, with nothing started).
 */
export function startLint(argv: string[], cwd: string): StartedLint | undefined {
  let opts: LintOptions | "help";
  try {
    opts = parseLintArgs(argv, cwd);
  } catch {
    return undefined;
  }
  if (opts === "help") return undefined;
  const o = opts;
  // With the object reader lint() would open (it closes it when done).
  const git = Git.open(o.cwd, revisionsFirst(o), { objects: true });
  const started: { -readonly [K in keyof StartedLint]: StartedLint[K] } = { opts: o, git };
  if (o.paths.length === 0) {
    const revisions = git.then((g) =>
      g === null
        ? null
        : resolveRevisions(g, o.base, o.head, (base) => {
            if (o.config !== undefined) return;
            const bytes = g.readAt(base.sha, CONFIG_PATH);
            started.baseConfig = { base, bytes };
          }),
    );
    // Awaited by lint(), which rethrows; until then (or if the lint never gets there) a failure
    // is not unhandled.
    revisions.catch(() => undefined);
    started.revisions = revisions;
    // Without a configuration file the directories are the defaults', known without parsing
    // anything: their listings need not wait for the configuration's modules (most of the
    // initialisation), and run meanwhile.
    if (o.config === undefined) {
      const listing = revisions.then(async (revs) => {
        const bytes = revs && started.baseConfig ? await started.baseConfig.bytes : undefined;
        const g = await git;
        return bytes === null && g ? startListing(g, revs!, [DEFAULT_DIRECTORY_PATH]) : null;
      });
      listing.catch(() => undefined);
      started.listing = listing;
    }
  }
  return started;
}

/** Whether `started` was started for exactly these options (what lint() would have run). */
export function sameStart(started: StartedLint | undefined, opts: LintOptions): boolean {
  if (!started) return false;
  const a = started.opts;
  return (
    a.cwd === opts.cwd &&
    a.base === opts.base &&
    a.head === opts.head &&
    a.config === opts.config &&
    a.paths.length === opts.paths.length &&
    a.paths.every((p, i) => p === opts.paths[i])
  );
}
