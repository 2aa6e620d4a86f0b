/**
 * What the first query (src/github/pull-request-query.ts) reads of the pull request's head
 * beyond the pull request itself: its changed files (changed-files.ts) and the other open pull
 * requests on the same head commit (head-pulls.ts). Each part is used on its own and only when
 * plain; a part that is not is read by REST exactly as before, and never costs the rest of the
 * first read: an answer whose only errors are inside these parts is used without them
 * (first-read/parts.ts).
 */
import type { ListedChanges } from "../../changeset/source.js";
import type { HeadPulls } from "../commit-pulls.js";
import type { PullRequestInfo } from "../pull-request.js";
import { CHANGED_FILES_PART, copyListed } from "./changed-files.js";
import { HEAD_PULLS_PART } from "./head-pulls.js";
import { answerWithoutFailedParts, type RawPullRequest } from "./parts.js";

/** What the first query read at one head of a pull request. */
export interface HeadReads {
  /** The pull request and head they were read for: any other one reads by REST. */
  number: number;
  headSha: string;
  /** The changed files, as listPullRequestFiles lists them; absent: read by REST. */
  files?: ListedChanges;
  /** The other open pull requests with this head, as pullRequestsWithHead; absent: by REST. */
  pullsWithHead?: HeadPulls;
}

/** The two parts, each used on its own (errors GitHub reports in one cost only that one). */
export const HEAD_READ_PARTS = [CHANGED_FILES_PART, HEAD_PULLS_PART] as const;

/** The parts of the answer's pull request `raw` that are usable, or undefined when neither is. */
export function headReadsOf(raw: RawPullRequest, info: PullRequestInfo): HeadReads | undefined {
  const files = CHANGED_FILES_PART.parse(raw, info);
  const pulls = HEAD_PULLS_PART.parse(raw, info);
  if (!files && !pulls) return undefined;
  return {
    number: info.number,
    headSha: info.headSha,
    ...(files ? { files } : {}),
    ...(pulls ? { pullsWithHead: pulls } : {}),
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
  return knownHeadPulls(pr)?.others;
}

/** The same, with whether GitHub's lookup listed the pull request itself (a copy). */
export function knownHeadPulls(pr: Known): HeadPulls | undefined {
  const p = readsFor(pr)?.pullsWithHead;
  return p ? { others: [...p.others], listsSelf: p.listsSelf } : undefined;
}

function readsFor(pr: Known): HeadReads | undefined {
  const r = pr.headReads;
  return r && r.number === pr.number && r.headSha === pr.headSha ? r : undefined;
}

/** The data of a GraphQL error answer whose errors all lie inside these two parts, without them. */
export function withoutFailedParts<T>(err: unknown): T | null {
  return answerWithoutFailedParts<T>(err, HEAD_READ_PARTS);
}
