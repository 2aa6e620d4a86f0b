/**
 * What a push brought, read from GitHub for the push audit: the commits from the merge base to
 * the pushed tip (compare API, a bounded number of pages), and one path's entry at a commit.
 */
import type { EntryKind } from "../../core/types.js";
import type { GitHubClient, RepoRef } from "../client.js";
import type { TreeReader } from "../git.js";

const COMPARE_PAGE = 100;
const MAX_COMPARE_PAGES = 3;

export interface PushedCommit {
  sha: string;
  nodeId: string | null;
  tree: string;
  parents: string[];
  author: string | null;
  date: string | null;
}

export interface Comparison {
  mergeBase: string;
  commits: PushedCommit[];
  total: number;
}

/** The merge base of two commits and the commits from it to `head`, oldest first. */
export async function compare(
  octokit: GitHubClient,
  repo: RepoRef,
  base: string,
  head: string,
): Promise<Comparison> {
  const commits: PushedCommit[] = [];
  let mergeBase = "";
  let total = 0;
  for (let page = 1; page <= MAX_COMPARE_PAGES; page++) {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${base}...${head}`,
      per_page: COMPARE_PAGE,
      page,
    });
    mergeBase = data.merge_base_commit.sha;
    total = data.total_commits;
    for (const c of data.commits)
      commits.push({
        sha: c.sha,
        nodeId: c.node_id ?? null,
        tree: c.commit.tree.sha,
        parents: c.parents.map((p) => p.sha),
        author: c.author?.login ?? null,
        date: c.commit.author?.date ?? c.commit.committer?.date ?? null,
      });
    if (data.commits.length < COMPARE_PAGE || commits.length >= total) break;
  }
  return { mergeBase, commits, total };
}

export type Entry = { kind: EntryKind; oid: string } | null;

/** One path's entry at a commit, through the shared tree cache; "unknown" when cut short. */
export async function entryAt(
  trees: TreeReader,
  sha: string,
  path: string,
): Promise<Entry | "unknown"> {
  const slash = path.lastIndexOf("/");
  const [dir, name] = slash < 0 ? ["", path] : [path.slice(0, slash), path.slice(slash + 1)];
  const listing = await trees.listDirectory(await trees.commitTree(sha), dir, `commit ${sha}`);
  const e = listing.entries?.find((x) => x.name === name);
  if (e) return { kind: e.kind, oid: e.oid };
  return listing.truncated ? "unknown" : null;
}

export function sameEntry(a: Entry | "unknown", b: Entry | "unknown"): boolean {
  if (a === "unknown" || b === "unknown") return false;
  if (a === null || b === null) return a === b;
  return a.kind === b.kind && a.oid === b.oid;
}
