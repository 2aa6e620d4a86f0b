/**
 * The lists `report approvals` walks: the pull requests merged in the range (read again while
 * they move between pages) and the pushes GitHub received in the range (the repository
 * activity). Both are GitHub's offset- or cursor-paged lists, read newest first and stopped at the
 * first page before the range.
 */
import { GIT_OID } from "../../core/approval/index.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { httpStatus } from "../../github/errors.js";
import type { ApprovalsOptions } from "./approvals.js";
import { ReportError, type Progress } from "./progress.js";

/** GitHub's largest page. */
export const PER_PAGE = 100;

interface PullRequestListItem {
  number: number;
  merged_at: string | null;
  updated_at: string;
  base: { ref: string };
}

/** Reads of the list after the first that may find pull requests it moved past; then exit 2. */
const MAX_REREADS = 5;
/**
 * How far before the first listed update a re-read goes: a change made while a page was read is
 * stamped when GitHub writes it, which may be a little before it shows in the list.
 */
const SETTLE_MS = 60_000;

/**
 * The numbers of the pull requests merged in the range (into `base`), read from every pull request
 * (`state=all`) sorted by last update, newest first, page by page.
 *
 * Pages are offsets into a list that changes while it is read: a pull request updated meanwhile
 * (a comment, a label, merged, reopened) moves to the front, past the reader, and every later one
 * moves down one place. With `state=closed` a reopened one even left the list, moving the rest up:
 * the first of the next page was never seen (a merged pull request silently missing from the
 * report). With `state=all` nothing leaves the list, so the only way to miss one is that it moved
 * to the front after the first page was read, and that moves the unread rest down: the next page
 * starts with ones already seen. A read that saw a repeat is followed by another, down to
 * SETTLE_MS before the first update it listed (what moved since is above that); one without a
 * repeat has them all. Lists that keep moving after MAX_REREADS reads are an error (exit 2): the
 * report is never silently incomplete.
 */
export async function mergedPullRequests(
  octokit: GitHubClient,
  repo: RepoRef,
  opts: ApprovalsOptions,
  progress: Progress,
): Promise<number[]> {
  const since = opts.since.getTime();
  const found = new Set<number>();
  let stopBelow = since;
  for (let read = 0; ; read++) {
    const r = await listingRead(octokit, repo, opts, stopBelow, progress, read);
    for (const n of r.merged) found.add(n);
    if (!r.moved) break;
    if (read >= MAX_REREADS)
      throw new ReportError(
        `the list of pull requests kept changing while it was read (${read + 1} reads, each saw pull requests move between its pages): the report could miss merged pull requests, so none is written; run it again when the repository is quieter`,
      );
    stopBelow = Math.max(since, r.firstUpdate - SETTLE_MS);
    progress.note(
      `pull requests moved while the list was read: reading it again down to ${new Date(stopBelow).toISOString()}`,
    );
  }
  return [...found].sort((a, b) => a - b);
}

/** One read of the list, down to the first page that ends before `stopBelow`. */
async function listingRead(
  octokit: GitHubClient,
  repo: RepoRef,
  opts: ApprovalsOptions,
  stopBelow: number,
  progress: Progress,
  read: number,
): Promise<{ merged: number[]; moved: boolean; firstUpdate: number }> {
  const since = opts.since.getTime();
  const until = opts.until.getTime();
  const merged: number[] = [];
  const seen = new Set<number>();
  let moved = false;
  let firstUpdate = stopBelow;
  let page = 0;
  for await (const res of octokit.paginate.iterator(octokit.rest.pulls.list, {
    ...repo,
    state: "all",
    sort: "updated",
    direction: "desc",
    per_page: opts.pageSize ?? PER_PAGE,
  })) {
    page++;
    const items = res.data as PullRequestListItem[];
    if (page === 1 && items[0]) firstUpdate = Date.parse(items[0].updated_at);
    for (const pr of items) {
      if (seen.has(pr.number)) {
        moved = true;
        continue;
      }
      seen.add(pr.number);
      if (pr.merged_at === null) continue;
      const at = Date.parse(pr.merged_at);
      if (at < since || at > until) continue;
      if (opts.base !== undefined && pr.base.ref !== opts.base) continue;
      merged.push(pr.number);
    }
    progress.status(
      "pulls",
      `listing pull requests${read > 0 ? ` (read ${read + 1})` : ""}: page ${page}, ${merged.length} merged in the range so far`,
      page === 1,
    );
    // updated_at ≥ merged_at, and an update moves a pull request to the front: once a page ends
    // before the range, nothing after it can be in it (what moves meanwhile, the next read finds).
    const last = items.at(-1);
    if (!last || Date.parse(last.updated_at) < stopBelow) break;
  }
  return { merged, moved, firstUpdate };
}

/** A deleted branch's `after`. */
const NO_COMMIT = /^0+$/;

/**
 * The heads `branch` had after each move GitHub received in the range (its repository activity,
 * newest first, down to the first page before the range: pushes, force pushes, merges; the audit
 * check runs on each), when each was received. A commit's date is what its author
 * wrote, so the commits GitHub lists for the range leave out a direct push of a backdated commit;
 * the activity has the time of the push. Null where GitHub has no activity endpoint (an older
 * GitHub Enterprise Server): the commit dates are then all there is, and the assumptions say so.
 */
export async function pushedHeads(
  octokit: GitHubClient,
  repo: RepoRef,
  branch: string,
  opts: ApprovalsOptions,
  progress: Progress,
): Promise<Map<string, string> | null> {
  const since = opts.since.getTime();
  const until = opts.until.getTime();
  const heads = new Map<string, string>();
  let read = 0;
  try {
    for await (const res of octokit.paginate.iterator(octokit.rest.repos.listActivities, {
      ...repo,
      ref: `refs/heads/${branch}`,
      direction: "desc",
      per_page: opts.pageSize ?? PER_PAGE,
    })) {
      const items = res.data as Array<{ after?: unknown; timestamp?: unknown }>;
      read += items.length;
      progress.status("activity", `reading pushes to ${branch}: ${read}`);
      for (const a of items) {
        const at = Date.parse(String(a.timestamp));
        // An unreadable time cannot be placed outside the range: the push is examined.
        if (!Number.isNaN(at) && (at < since || at > until)) continue;
        const after = String(a.after);
        if (GIT_OID.test(after) && !NO_COMMIT.test(after) && !heads.has(after))
          heads.set(after, String(a.timestamp));
      }
      const last = items.at(-1);
      if (!last || Date.parse(String(last.timestamp)) < since) break;
    }
  } catch (err) {
    if (httpStatus(err) !== 404) throw err;
    progress.note(
      `GitHub has no repository activity here (GET /repos/{owner}/{repo}/activity answered 404): direct pushes are found by commit date only`,
    );
    return null;
  }
  return heads;
}
