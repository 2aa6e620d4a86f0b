/**
 * The pull request's changed files from the first query (`pullRequest.files`), where REST needs
 * `GET /pulls/{n}/files` (src/github/changeset.ts, listPullRequestFiles).
 *
 * GraphQL's PullRequestChangedFile has a path and a change type, but no previous path and no blob
 * id. So the answer is used only when it cannot say less than the REST listing would:
 *
 * - every entry is ADDED, MODIFIED or DELETED. A RENAMED or COPIED entry hides its old path (a
 *   merged migration renamed out of a configured directory shows only its new path, outside), and
 *   CHANGED (git's type change: a file becoming a symlink or a submodule) is not certainly what
 *   REST calls "changed": any of them sends the listing to REST;
 * - the whole list is in the answer: one page (no next page, at most 100 nodes), as many nodes as
 *   `totalCount`, and that count is the pull request's `changedFiles` (REST's cross-check of the
 *   listing against the count, which then reports the mismatch as today);
 * - every node is a plain, distinct path.
 *
 * Anything else (a missing or odd field, more files) and the listing is read by REST exactly as
 * before, with its checks (the 3,000 cap, the count). Without blob ids, the revision source
 * (GitHubRevisions) takes each file's id from the head commit's own tree, hashed: the same id the
 * REST listing's `sha` would have named, read at the head the check reports on.
 */
import type { ListedChanges } from "../../changeset/source.js";
import type { ChangeStatus, ChangedFile } from "../../core/types.js";
import type { FirstReadPart } from "./parts.js";

/** Inside `pullRequest { … }` of the first query. */
export const CHANGED_FILES_FRAGMENT = `files(first: 100) {
        totalCount
        pageInfo { hasNextPage }
        nodes { path changeType }
      }`;

/** The part of the first query: the listing, as listPullRequestFiles lists it. */
export const CHANGED_FILES_PART: FirstReadPart<ListedChanges> = {
  fragment: CHANGED_FILES_FRAGMENT,
  aliases: ["files"],
  parse: (raw, info) => {
    const listed = changedFilesOf(
      raw.files as RawChangedFiles | null | undefined,
      info.changedFiles,
    );
    return typeof listed === "string" ? undefined : listed;
  },
};

/** GitHub's page size: a pull request changing more files has its listing read by REST. */
const PAGE = 100;

/** Only the change types whose REST counterpart is certainly the same (see the header). */
const STATUS: Record<string, ChangeStatus> = {
  ADDED: "added",
  MODIFIED: "modified",
  DELETED: "removed",
};

export interface RawChangedFiles {
  totalCount?: number;
  pageInfo?: { hasNextPage?: boolean } | null;
  nodes?: Array<{ path?: string; changeType?: string } | null> | null;
}

/**
 * The listing when the answer is the whole of it and plain (see the header); otherwise why not,
 * and the caller reads it by REST.
 */
export function changedFilesOf(
  raw: RawChangedFiles | null | undefined,
  changedFiles: number,
): ListedChanges | string {
  if (!raw) return "no file list";
  const nodes = raw.nodes;
  if (!Array.isArray(nodes)) return "no file nodes";
  if (raw.pageInfo?.hasNextPage !== false) return "more than one page of files";
  if (raw.totalCount !== changedFiles || nodes.length !== changedFiles || nodes.length > PAGE)
    return `${String(raw.totalCount)} files listed (${nodes.length} in the answer) for ${changedFiles} changed`;
  const changes: ChangedFile[] = [];
  const seen = new Set<string>();
  for (const n of nodes) {
    if (typeof n?.path !== "string" || n.path === "" || seen.has(n.path)) return "an odd file path";
    const status = STATUS[n.changeType ?? ""];
    if (status === undefined) return `a file ${String(n.changeType)}`;
    seen.add(n.path);
    changes.push({ path: n.path, status });
  }
  return { changes, incomplete: [] };
}

/** A fresh copy (the builder and its callers may keep or extend what they are handed). */
export function copyListed(listed: ListedChanges): ListedChanges {
  return { changes: listed.changes.map((c) => ({ ...c })), incomplete: [...listed.incomplete] };
}
