/**
 * One evaluation of a pull request: configuration from the base branch, the change set from the
 * API, the core's analysis. Check-run writers (lint, approval) render the same result.
 */
import { ConfigError } from "../config/load.js";
import type { Config } from "../config/types.js";
import { analyze, type Analysis } from "../core/analyze.js";
import type { ChangeSet } from "../core/types.js";
import type { GitHubClient } from "./client.js";
import { buildChangeSet, listMigrationChanges } from "../changeset/build.js";
import type { DynamicChecksFactory, ListedChanges, RevisionSource } from "../changeset/source.js";
import { pullRequestRevisions } from "./changeset.js";
import { loadBaseConfig } from "./config.js";
import { baseBranch, type EnforcementCache } from "./enforcement-cache.js";
import { CONFIG_DIRECTORY, rememberDirectories } from "./first-read/base-directories.js";
import { TreeReader, type BaseRevision } from "./git.js";
import { defaultBranchView, type DefaultBranchView } from "./guard.js";
import type { PullRequestInfo } from "./pull-request.js";

export interface Tool {
  name: string;
  version: string;
}

interface Common {
  pr: PullRequestInfo;
  base: BaseRevision;
  /** The trees read so far, cached: later readers of this repository's git objects share it. */
  trees: TreeReader;
  /** Default-branch views already evaluated, by head (the pull requests of one head share one). */
  views: Map<string, Promise<DefaultBranchView>>;
}

interface Viewed {
  /**
   * The head as if proposed to the default branch (see guard.ts); null when the pull request
   * targets the default branch.
   */
  view: DefaultBranchView | null;
}

export type Evaluation =
  | (Common & { kind: "invalid-config"; error: ConfigError })
  | (Common & Viewed & { kind: "no-changes"; config: Config })
  | (Common &
      Viewed & { kind: "analyzed"; config: Config; changeSet: ChangeSet; analysis: Analysis });

export async function evaluatePullRequest(
  octokit: GitHubClient,
  pr: PullRequestInfo,
  tool: Tool,
  dynamic?: DynamicChecksFactory,
  trees: TreeReader = new TreeReader(octokit, { owner: pr.owner, repo: pr.repo }),
  views: Map<string, Promise<DefaultBranchView>> = new Map(),
  /** Branch protection remembered: with it, the first query's tip spares the branch read. */
  enforcement?: EnforcementCache,
): Promise<Evaluation> {
  const repo = { owner: pr.owner, repo: pr.repo };
  const base = await baseBranch(octokit, pr, enforcement);
  // The config the first query read, only when it was read at the tip this branch read shows.
  const tip = pr.baseTip;
  const atTip =
    !!tip && tip.ref === base.ref && tip.sha === base.sha && tip.treeSha === base.treeSha;
  const known = atTip ? (tip.config ?? undefined) : undefined;
  // The tip's root and config directory, verified (first-read/base-root.ts): what confirms a
  // missing config file, unread. Only at the tip the evaluation uses and only for that
  // confirmation (a config file's text needs none: everything else reads as before).
  if (atTip && known === "absent")
    for (const t of tip.knownTrees ?? []) trees.knowTree(t.oid, t.tree);
  let config: Config;
  try {
    config = await loadBaseConfig(octokit, repo, base, trees, known);
  } catch (err) {
    if (err instanceof ConfigError)
      return { kind: "invalid-config", pr, base, trees, views, error: err };
    throw err;
  }
  rememberDirectories(
    pr,
    pr.baseRepoId,
    config.directories.map((d) => d.path),
  );
  const usable = seedPlainDirectories(trees, base, tip, config);
  const view = await defaultBranchView(octokit, pr, tool, dynamic, trees, views);

  // The app's dynamic checks are its replay: with it on, the gather may bring the merged texts.
  const texts =
    dynamic && config.replay.enabled
      ? {
          repoId: pr.baseRepoId,
          dirs: config.directories.map((d) => d.path),
          treeOids: usable ? tip!.plainDirectories!.oids : {},
        }
      : undefined;
  const source = pullRequestRevisions(octokit, pr, base, trees, texts);
  const change = await analyzeChange(source, config, base, trees, tool, dynamic);
  return change.kind === "no-changes"
    ? { kind: "no-changes", pr, base, trees, views, view, config }
    : {
        kind: "analyzed",
        pr,
        base,
        trees,
        views,
        view,
        config,
        changeSet: change.changeSet,
        analysis: change.analysis,
      };
}

/**
 * The first query's word that the config's directories are plain trees at the base tip, taken
 * only when every directory this config names was asked and shows plain (remembered or the
 * speculative layouts: a subset of what was asked is enough, a directory not asked is never
 * assumed) and only when the tip it was read at is the base the evaluation uses
 * (first-read/base-directories.ts). True when it was taken.
 */
function seedPlainDirectories(
  trees: TreeReader,
  base: BaseRevision,
  tip: PullRequestInfo["baseTip"],
  config: Config,
): boolean {
  const seen = tip?.plainDirectories;
  if (!tip || !seen || tip.ref !== base.ref || tip.sha !== base.sha || tip.treeSha !== base.treeSha)
    return false;
  const paths = config.directories.map((d) => d.path);
  if (!paths.every((p) => seen.paths.includes(p))) return false;
  for (const p of paths) trees.knowPlainDirectory(base.treeSha, p);
  if (seen.configDirectory === "tree") trees.knowPlainDirectory(base.treeSha, CONFIG_DIRECTORY);
  else trees.knowAbsentAtRoot(base.treeSha, CONFIG_DIRECTORY);
  return true;
}

/** A change's analysis under the base's config, or "no-changes" when it touches no migration. */
export type ChangeAnalysis =
  | { kind: "no-changes"; listed: ListedChanges }
  | { kind: "analyzed"; listed: ListedChanges; changeSet: ChangeSet; analysis: Analysis };

/**
 * The changes of `source` that matter to the migration directories, analysed (a pull request's,
 * or a merge queue group's: src/github/merge-group.ts).
 */
export async function analyzeChange(
  source: RevisionSource,
  config: Config,
  base: BaseRevision,
  trees: TreeReader,
  tool: Tool,
  dynamic?: DynamicChecksFactory,
): Promise<ChangeAnalysis> {
  const listed = await listMigrationChanges(source, config.directories);
  if (
    listed.changes.length === 0 &&
    listed.incomplete.length === 0 &&
    (await allPlainDirectories(trees, base, config))
  ) {
    return { kind: "no-changes", listed };
  }
  const changeSet = await buildChangeSet(source, config, listed);
  const analysis = await analyze(config, changeSet, {
    tool,
    dynamic: dynamic ? dynamic(source) : [],
  });
  return { kind: "analyzed", listed, changeSet, analysis };
}

/**
 * True when every configured directory is a plain directory on the base: otherwise even a change
 * that touches none of them is analysed, so a missing directory (a misspelled path protects
 * nothing) or one golang-migrate would read through a symlink is reported, never passed silently.
 */
async function allPlainDirectories(
  trees: TreeReader,
  base: BaseRevision,
  config: Config,
): Promise<boolean> {
  const shapes = await Promise.all(
    config.directories.map((d) => trees.shape(base.treeSha, d.path, `${base.ref} (${base.sha})`)),
  );
  return shapes.every((l) => l.shape.kind === "directory" && !l.truncated);
}
