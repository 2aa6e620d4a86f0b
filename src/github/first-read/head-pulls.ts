/**
 * The other open pull requests on the evaluated head from the first query, where REST needs
 * `GET /commits/{sha}/pulls` (src/github/commit-pulls.ts, pullRequestsWithHead), read by the
 * approval's head group (src/github/approval/head-group.ts).
 *
 * The head commit is the pull request's last listed commit (`commits(last: 1)`), used only when
 * its id is the `headRefOid` of the same answer: GitHub lists at most 250 commits, so the last
 * one listed is not the head of a longer pull request, and a head that moved while the answer was
 * made shows another id. Its `associatedPullRequests` is the GraphQL side of the same lookup:
 * GitHub documents both as the merged pull request that introduced the commit, plus the open
 * ones associated with it when the commit is not on the default branch. The schema has no state
 * filter there, so merged and closed ones count towards the page; the list is used only whole
 * (one page, every node counted), with every node's number, state, head and base repository
 * present, and filtered exactly as the REST lookup is: open, head exactly this commit, based in
 * this repository (a fork's pull request on the same commit is another repository's), not this
 * pull request; whether this one was listed is kept (the head group trusts a lookup that lists
 * it). Anything else, and the lookup is sent by REST as before.
 */

import type { HeadPulls } from "../commit-pulls.js";
import type { FirstReadPart } from "./parts.js";

/** Inside `pullRequest { … }` of the first query. */
export const HEAD_PULLS_FRAGMENT = `headCommit: commits(last: 1) {
        nodes {
          commit {
            oid
            associatedPullRequests(first: 100) {
              totalCount
              pageInfo { hasNextPage }
              nodes { number state headRefOid baseRepository { databaseId } }
            }
          }
        }
      }`;

/** The part of the first query: the other open pull requests, as pullRequestsWithHead. */
export const HEAD_PULLS_PART: FirstReadPart<HeadPulls> = {
  fragment: HEAD_PULLS_FRAGMENT,
  aliases: ["headCommit"],
  parse: (raw, info) => {
    const pulls = pullsWithHeadOf(raw.headCommit as RawHeadCommit | null | undefined, info);
    return typeof pulls === "string" ? undefined : pulls;
  },
};

interface RawPull {
  number?: number;
  state?: string;
  headRefOid?: string;
  baseRepository?: { databaseId?: number | null } | null;
}

export interface RawHeadCommit {
  nodes?: Array<{
    commit?: {
      oid?: string;
      associatedPullRequests?: {
        totalCount?: number;
        pageInfo?: { hasNextPage?: boolean } | null;
        nodes?: Array<RawPull | null> | null;
      } | null;
    } | null;
  } | null> | null;
}

/** What identifies the pull request the lookup is for. */
export interface HeadOf {
  number: number;
  headSha: string;
  baseRepoId: number;
}

/**
 * The numbers of the other open pull requests of this repository whose head is `pr.headSha`
 * (sorted, distinct, as the REST lookup gives them) and whether the pull request itself was
 * listed, or why the answer cannot say (REST then).
 */
export function pullsWithHeadOf(
  raw: RawHeadCommit | null | undefined,
  pr: HeadOf,
): HeadPulls | string {
  const nodes = raw?.nodes;
  if (!Array.isArray(nodes) || nodes.length !== 1) return "no head commit";
  const commit = nodes[0]?.commit;
  if (commit?.oid !== pr.headSha) return "the last commit listed is not the head";
  const pulls = commit.associatedPullRequests;
  if (!pulls || !Array.isArray(pulls.nodes)) return "no associated pull requests";
  if (pulls.pageInfo?.hasNextPage !== false || pulls.totalCount !== pulls.nodes.length)
    return "more associated pull requests than one page";
  const out = new Set<number>();
  let listsSelf = false;
  for (const p of pulls.nodes) {
    const repoId = p?.baseRepository === null ? null : p?.baseRepository?.databaseId;
    if (
      !p ||
      !Number.isSafeInteger(p.number) ||
      typeof p.state !== "string" ||
      typeof p.headRefOid !== "string" ||
      repoId === undefined
    )
      return "an associated pull request without its number, state, head or base";
    if (p.state === "OPEN" && p.headRefOid === pr.headSha && repoId === pr.baseRepoId) {
      if (p.number === pr.number) listsSelf = true;
      else out.add(p.number!);
    }
  }
  return { others: [...out].sort((a, b) => a - b), listsSelf };
}
