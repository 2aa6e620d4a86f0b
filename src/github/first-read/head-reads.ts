/**
 * What the first query (src/github/pull-request-query.ts) reads of the pull request's head
 * beyond the pull request itself: its changed files (changed-files.ts) and the other open pull
 * requests on the same head commit (head-pulls.ts). Each part is used on its own and only when
 * plain; a part that is not is read by REST exactly as before, and never costs the rest of the
 * first read: an answer whose only errors are inside these parts is used without them.
 */
import type { ListedChanges } from "../../changeset/source.js";
import { changedFilesOf, copyListed, type RawChangedFiles } from "./changed-files.js";
import { pullsWithHeadOf, type HeadOf, type RawHeadCommit } from "./head-pulls.js";

export { CHANGED_FILES_FRAGMENT } from "./changed-files.js";
export { HEAD_PULLS_FRAGMENT } from "./head-pulls.js";

/** What the first query read at one head of a pull request. */
export interface HeadReads {
  /** The pull request and head they were read for: any other one reads by REST. */
  number: number;
  headSha: string;
  /** The changed files, as listPullRequestFiles lists them; absent: read by REST. */
  files?: ListedChanges;
  /** The other open pull requests with this head, as pullRequestsWithHead; absent: by REST. */
  pullsWithHead?: number[];
}

/** The parts as the answer has them, inside `pullRequest`. */
export interface RawHeadReads {
  files?: RawChangedFiles | null;
  headCommit?: RawHeadCommit | null;
}

/** The parts of `raw` that are usable, or undefined when neither is. */
export function headReadsOf(
  raw: RawHeadReads,
  pr: HeadOf & { changedFiles: number },
): HeadReads | undefined {
  const files = changedFilesOf(raw.files, pr.changedFiles);
  const pulls = pullsWithHeadOf(raw.headCommit, pr);
  if (typeof files === "string" && typeof pulls === "string") return undefined;
  return {
    number: pr.number,
    headSha: pr.headSha,
    ...(typeof files !== "string" ? { files } : {}),
    ...(typeof pulls !== "string" ? { pullsWithHead: pulls } : {}),
  };
}

type Known = { number: number; headSha: string; headReads?: HeadReads };

/** The changed files the first query read for exactly this pull request and head (a copy). */
export function knownChangedFiles(pr: Known): ListedChanges | undefined {
  const r = readsFor(pr);
  return r?.files ? copyListed(r.files) : undefined;
}

/** The other open pull requests on this head, when the first query read them for it. */
export function knownPullsWithHead(pr: Known): number[] | undefined {
  const r = readsFor(pr);
  return r?.pullsWithHead ? [...r.pullsWithHead] : undefined;
}

function readsFor(pr: Known): HeadReads | undefined {
  const r = pr.headReads;
  return r && r.number === pr.number && r.headSha === pr.headSha ? r : undefined;
}

/** Where the parts sit in the first query's answer. */
const PART_PATHS = [
  ["repository", "pullRequest", "files"],
  ["repository", "pullRequest", "headCommit"],
];

/**
 * The data of a GraphQL error answer when every error GitHub reported lies inside one of these
 * parts (a diff too large to list in time, …), with those parts removed; null otherwise (the
 * whole answer then stays unusable, as before).
 */
export function withoutFailedParts<T>(err: unknown): T | null {
  const e = err as {
    name?: string;
    data?: unknown;
    errors?: Array<{ path?: unknown }>;
  } | null;
  if (e?.name !== "GraphqlResponseError" || !e.data || typeof e.data !== "object") return null;
  const errors = e.errors;
  if (!Array.isArray(errors) || errors.length === 0) return null;
  const failed = new Set<string>();
  for (const x of errors) {
    const path = x?.path;
    if (!Array.isArray(path)) return null;
    const part = PART_PATHS.find((p) => p.every((seg, i) => path[i] === seg));
    if (!part) return null;
    failed.add(part.at(-1)!);
  }
  const data = structuredClone(e.data) as {
    repository?: { pullRequest?: Record<string, unknown> };
  };
  const pr = data.repository?.pullRequest;
  if (!pr || typeof pr !== "object") return null;
  for (const name of failed) pr[name] = null;
  return data as T;
}
