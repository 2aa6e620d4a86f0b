/** The pull request as it is now (events can arrive late or out of order). */
import type { GitHubClient, PullRequestTarget } from "./client.js";
import type { HeadReads } from "./first-read/head-reads.js";
import type { FirstApprovalFacts } from "./first-read/approval-facts.js";
import type { HeadRuns } from "./first-read/head-runs.js";
import type { BaseRules } from "./first-read/base-rules.js";
import type { PlainDirectories } from "./first-read/base-directories.js";
import type { KnownTree } from "./first-read/base-root.js";

export interface PullRequestInfo extends PullRequestTarget {
  open: boolean;
  headSha: string;
  baseRef: string;
  /** The default branch of the repository the pull request targets. */
  defaultBranch: string;
  /** Id of the repository the pull request targets (the one it belongs to). */
  baseRepoId: number;
  /**
   * Its GraphQL node id, from the first read (GraphQL or REST): what the check-run mutation names
   * the repository by (checks/batch-create.ts). Absent: the runs are written by REST.
   */
  baseRepoNodeId?: string;
  /** GitHub's count of changed files (pulls.listFiles stops at 3,000). */
  changedFiles: number;
  /** GitHub's count of commits (pulls.listCommits stops at 250). */
  commits: number;
  /** Login of the user who opened it; "" when GitHub sent none (the approval gate rejects it). */
  author: string;
  /** Their account id (people are compared by it); absent: GitHub gave none. */
  authorId?: number;
  /** "owner/name" of the head repository; null when the fork was deleted. */
  headRepo: string | null;
  /**
   * The base branch tip and its config file as the first read saw them (pull-request-query.ts);
   * absent when the pull request was read by REST.
   */
  baseTip?: BaseTip;
  /** The head's changed files and other pull requests as the first read saw them, when plain. */
  headReads?: HeadReads;
  /** The approval facts' first page from the same query, unjudged (first-read/approval-facts.ts). */
  approvalFacts?: FirstApprovalFacts;
  /**
   * The head commit's runs of the app's checks as the first read saw them (first-read/
   * head-runs.ts), for the writer; absent when not read whole (the writer lists them by REST).
   */
  headRuns?: HeadRuns;
  /**
   * The base branch's active ruleset requirements as the first read saw them (first-read/
   * base-rules.ts): used only when they pin both gate checks to this app; absent when not plain.
   */
  baseRules?: BaseRules;
}

/** The base branch tip as one query saw it, with the config file there when it was plain. */
export interface BaseTip {
  ref: string;
  sha: string;
  treeSha: string;
  /** The config file's text; "absent" when the tip has none; null: read it by REST. */
  config: KnownConfig | null;
  /**
   * The asked directories this tip shows as plain trees (every prefix a tree entry), and the
   * config file's directory (first-read/base-directories.ts); absent when not read or not usable.
   */
  plainDirectories?: PlainDirectories;
  /**
   * The tip's root tree and the config's directory, each verified against its id
   * (first-read/base-root.ts); absent when not read or not verified.
   */
  knownTrees?: KnownTree[];
}

/** A config file's content already read and verified, or its absence. */
export type KnownConfig = { text: string } | "absent";

type PullRequestData = Awaited<ReturnType<GitHubClient["rest"]["pulls"]["get"]>>["data"];

/** The facts the checks need from a `GET /repos/{o}/{r}/pulls/{n}` answer. */
export function pullRequestInfo(target: PullRequestTarget, data: PullRequestData): PullRequestInfo {
  return {
    ...target,
    open: data.state === "open",
    headSha: data.head.sha,
    baseRef: data.base.ref,
    defaultBranch: data.base.repo.default_branch,
    baseRepoId: data.base.repo.id,
    ...(data.base.repo.node_id ? { baseRepoNodeId: data.base.repo.node_id } : {}),
    changedFiles: data.changed_files,
    commits: data.commits,
    author: data.user?.login ?? "",
    ...(typeof data.user?.id === "number" && Number.isSafeInteger(data.user.id) && data.user.id >= 1
      ? { authorId: data.user.id }
      : {}),
    headRepo: data.head.repo?.full_name ?? null,
  };
}

export async function fetchPullRequest(
  octokit: GitHubClient,
  target: PullRequestTarget,
): Promise<PullRequestInfo> {
  const { data } = await octokit.rest.pulls.get({
    owner: target.owner,
    repo: target.repo,
    pull_number: target.number,
  });
  return pullRequestInfo(target, data);
}
