/**
 * The default branch's view of a pull request into another branch.
 *
 * Check runs belong to commits, not to pull requests: a passing run written while a pull request
 * into `decoy` was evaluated also satisfies branch protection on `main` for any pull request with
 * the same head. So a head whose migration directories differ from those at its merge base with
 * the default branch (migration content the default branch does not have) is evaluated as if it
 * were proposed to the default branch too, under the default branch's configuration: lint and
 * approval pass only when that view passes as well. A pull request that merely lags behind the
 * default branch carries nothing the default branch lacks, and this view adds nothing.
 */
import { ConfigError } from "../config/load.js";
import type { Config } from "../config/types.js";
import { analyze, type Analysis } from "../core/analyze.js";
import { migrationDigest } from "../core/approval/digest.js";
import type { CommitFacts } from "../core/approval/index.js";
import type { ChangeSet, DirectoryShape, TreeEntry } from "../core/types.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { buildChangeSet, listMigrationChanges } from "../changeset/build.js";
import { GitHubRevisions, treeDiff } from "./changeset.js";
import { loadBaseConfig } from "./config.js";
import { EvaluationError } from "./errors.js";
import type { DynamicChecksFactory } from "../changeset/source.js";
import type { Tool } from "./evaluate.js";
import { resolveBranch, type BaseRevision, type TreeReader } from "./git.js";
import { commitFacts } from "./approval/reader.js";
import type { PullRequestInfo } from "./pull-request.js";

/** GitHub's compare lists commits 250 per page at most; beyond this many the view fails closed. */
export const MAX_GUARD_COMMITS = 1000;
const PER_PAGE = 100;

interface Common {
  /** The default branch and its tip now. */
  base: BaseRevision;
}

export type DefaultBranchView =
  /** The head carries no migration content the default branch lacks. */
  | (Common & { kind: "clean"; mergeBase: string })
  | (Common & { kind: "invalid-config"; error: ConfigError })
  | (Common & {
      kind: "analyzed";
      mergeBase: string;
      config: Config;
      changeSet: ChangeSet;
      analysis: Analysis;
      /** Commits from the merge base to the head: their authors may not approve (contributors). */
      commits: CommitFacts[];
      /** Set when the commits could not all be listed. */
      commitsProblem: string | null;
    });

/**
 * The default branch's view of `pr`'s head, or null when the pull request targets the default
 * branch (its own evaluation is that view). Cached per head for the pull requests of one head.
 */
export function defaultBranchView(
  octokit: GitHubClient,
  pr: PullRequestInfo,
  tool: Tool,
  dynamic: DynamicChecksFactory | undefined,
  trees: TreeReader,
  cache: Map<string, Promise<DefaultBranchView>>,
): Promise<DefaultBranchView> | null {
  if (pr.baseRef === pr.defaultBranch) return null;
  const key = `${pr.defaultBranch}\0${pr.headSha}`;
  let view = cache.get(key);
  if (!view) {
    view = evaluateView(octokit, pr, tool, dynamic, trees);
    cache.set(key, view);
    view.catch(() => cache.delete(key));
  }
  return view;
}

async function evaluateView(
  octokit: GitHubClient,
  pr: PullRequestInfo,
  tool: Tool,
  dynamic: DynamicChecksFactory | undefined,
  trees: TreeReader,
): Promise<DefaultBranchView> {
  const repo: RepoRef = { owner: pr.owner, repo: pr.repo };
  const base = await resolveBranch(octokit, repo, pr.defaultBranch);
  let config: Config;
  try {
    config = await loadBaseConfig(octokit, repo, base, trees);
  } catch (err) {
    if (err instanceof ConfigError) return { kind: "invalid-config", base, error: err };
    throw err;
  }

  const compared = await compare(octokit, repo, base.ref, pr.headSha);
  trees.knowCommitTree(compared.mergeBase, compared.mergeBaseTree);
  const at = `the merge base of ${pr.headSha} with ${base.ref}`;
  const [mbRoot, headRoot] = await Promise.all([
    trees.commitTree(compared.mergeBase),
    trees.commitTree(pr.headSha),
  ]);
  const before = await digestAt(trees, mbRoot, config, `${at} (${compared.mergeBase})`);
  const after = await digestAt(trees, headRoot, config, `head ${pr.headSha}`);
  if (
    before.truncated.length === 0 &&
    after.truncated.length === 0 &&
    before.digest === after.digest
  )
    return { kind: "clean", base, mergeBase: compared.mergeBase };

  const source = new GitHubRevisions(
    octokit,
    repo,
    trees,
    base,
    { ref: `pull/${pr.number}/head`, sha: pr.headSha },
    treeDiff(trees, compared.mergeBase, pr.headSha),
  );
  const listed = await listMigrationChanges(source, config.directories);
  const changeSet = await buildChangeSet(source, config, {
    changes: listed.changes,
    incomplete: [...before.truncated, ...after.truncated, ...listed.incomplete],
  });
  const analysis = await analyze(config, changeSet, {
    tool,
    dynamic: dynamic ? dynamic(source) : [],
  });
  return {
    kind: "analyzed",
    base,
    mergeBase: compared.mergeBase,
    config,
    changeSet,
    analysis,
    commits: compared.commits,
    commitsProblem: compared.problem,
  };
}

/** The digest of the default branch's migration directories below a root tree. */
async function digestAt(
  trees: TreeReader,
  root: string,
  config: Config,
  at: string,
): Promise<{ digest: string; truncated: string[] }> {
  const listings = new Map<string, readonly TreeEntry[]>();
  const shapes = new Map<string, DirectoryShape>();
  const truncated: string[] = [];
  for (const d of config.directories) {
    const listing = await trees.listDirectory(root, d.path, at);
    if (listing.truncated) truncated.push(listing.truncated);
    listings.set(d.path, listing.entries ?? []);
    shapes.set(d.path, listing.shape);
  }
  return { digest: migrationDigest(config.directories, listings, shapes), truncated };
}

interface Compared {
  mergeBase: string;
  mergeBaseTree: string;
  commits: CommitFacts[];
  problem: string | null;
}

/**
 * `GET /compare/{base}...{head}`: the merge base (with its tree) and the commits from it to the
 * head with the accounts their author and committer are linked to, every page.
 */
async function compare(
  octokit: GitHubClient,
  repo: RepoRef,
  base: string,
  head: string,
): Promise<Compared> {
  const commits: CommitFacts[] = [];
  let mergeBase = "";
  let mergeBaseTree = "";
  let total = 0;
  for (let page = 1; ; page++) {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${base}...${head}`,
      per_page: PER_PAGE,
      page,
    });
    if (page === 1) {
      mergeBase = data.merge_base_commit.sha;
      mergeBaseTree = data.merge_base_commit.commit.tree.sha;
      total = data.total_commits;
    }
    commits.push(...(await commitFacts(octokit, data.commits)));
    if (data.commits.length < PER_PAGE || commits.length >= total) break;
    if (commits.length >= MAX_GUARD_COMMITS) break;
  }
  if (!/^[0-9a-f]{40,64}$/.test(mergeBase) || !/^[0-9a-f]{40,64}$/.test(mergeBaseTree))
    throw new EvaluationError(`GitHub gave no merge base of ${head} with ${base}`);
  const problem =
    commits.length !== total
      ? `GitHub listed ${commits.length} of the ${total} commits between ${base} and ${head}, so their authors, committers and recorded approvals cannot all be checked`
      : null;
  return { mergeBase, mergeBaseTree, commits, problem };
}
