/**
 * The first read of a pull request event in one GraphQL query where REST needs two: the pull
 * request (what `GET /pulls/{n}` gives PullRequestInfo) and the configuration file at its base
 * branch's tip (`GET /contents/.github/migration-warden.yml`), with that tip's commit and tree.
 *
 * Nothing uncertain is used. An answer with `errors` (even beside partial `data`), a failed
 * request or a missing or odd pull request field: the pull request is read by REST, exactly as
 * before (fetchPullRequest). The base part is used only as a whole and only when plain: the base
 * ref the answer shows is the one the pull request names, the config path is a regular file
 * (never a symlink, submodule or directory: those keep today's REST read and its findings), and
 * its blob came whole (not binary, not truncated) with text whose git id is the blob's id.
 * Otherwise the config is read by REST at the tip, as before. The tip is this event's own read of
 * the branch; the branch read by REST (resolveBranch) still follows when branch protection is
 * needed and not known (enforcement-cache.ts baseBranch: classic branch protection's required
 * checks with their app ids are not visible to GraphQL without the administration permission), and
 * then the config is used only if that read shows the same commit: see evaluate.ts. The head's changed files and
 * the other pull requests on the head commit come with it when plain (first-read/head-reads.ts),
 * as do the head's check runs (first-read/head-runs.ts), the approval facts' first page
 * (first-read/approval-facts.ts) and the base branch's ruleset rules (first-read/base-rules.ts:
 * proof that the gate is enforced, which spares the branch and rulesets reads) and the base tip's
 * root tree with the config's directory (first-read/base-root.ts: what confirms that a repository
 * has no config file), each part on its own: errors GitHub reports only inside parts
 * cost only those parts (first-read/parts.ts, one rule for all of them).
 */
import { CONFIG_PATH } from "../config/types.js";
import { accountId } from "./approval/pull-facts.js";
import type { GitHubClient, PullRequestTarget } from "./client.js";
import {
  APPROVAL_FACTS_FRAGMENT,
  APPROVAL_FACTS_SPREAD,
  APPROVAL_FACTS_VARIABLES,
  approvalFactsPart,
} from "./first-read/approval-facts.js";
import { BASE_ROOT_PART, baseRootOf } from "./first-read/base-root.js";
import { BASE_RULES_PART } from "./first-read/base-rules.js";
import { CHANGED_FILES_PART } from "./first-read/changed-files.js";
import { HEAD_PULLS_PART } from "./first-read/head-pulls.js";
import { HEAD_RUNS_PART } from "./first-read/head-runs.js";
import { answerWithoutFailedParts, type RawPullRequest } from "./first-read/parts.js";
import {
  directoriesFields,
  directoriesPartKeys,
  directoriesToAsk,
  plainDirectoriesOf,
  type DirectoriesAsked,
} from "./first-read/base-directories.js";
import { verifiedBlob } from "./git-gather.js";
import * as head from "./first-read/head-reads.js";
import { fetchPullRequest, type BaseTip, type PullRequestInfo } from "./pull-request.js";

/** The first query; with `dirs`, the base directories' part too (base-directories.ts). */
export function pullRequestQuery(dirs?: DirectoriesAsked): string {
  const d = directoriesFields(dirs);
  return `query MigrationWardenPullRequest($owner: String!, $name: String!, $number: Int!, $path: String!, ${APPROVAL_FACTS_VARIABLES}${d.vars}) {
  repository(owner: $owner, name: $name) {
    id
    databaseId
    defaultBranchRef { name }
    pullRequest(number: $number) {
      number
      state
      headRefOid
      baseRefName
      changedFiles
      commits(first: 1) { totalCount }
      author { __typename login ... on User { databaseId } ... on Bot { databaseId } }
      headRepository { nameWithOwner }
      ${CHANGED_FILES_PART.fragment}
      ${HEAD_PULLS_PART.fragment}
      ${HEAD_RUNS_PART.fragment}
      ${BASE_RULES_PART.fragment}
      baseRef {
        name
        target {
          __typename
          oid
          ... on Commit {
            tree { oid }
            file(path: $path) {
              mode
              type
              oid
              object { __typename ... on Blob { oid byteSize isBinary isTruncated text } }
            }${BASE_ROOT_PART.fields}${d.fields}
          }
        }
      }
      ${APPROVAL_FACTS_SPREAD}
    }
  }
}
${APPROVAL_FACTS_FRAGMENT}`;
}

/** The first query when nothing is remembered for the repository (the speculative layouts). */
export const PULL_REQUEST_QUERY = pullRequestQuery(directoriesToAsk(null));

/** GitHub's commit listing stops at 250: a count at that cap may hide more (REST counts all). */
const COMMIT_CAP = 250;
/** A regular file (0100644) or an executable one (0100755): what the contents API reads as text. */
const FILE_MODES = new Set([0o100644, 0o100755]);

interface RawFile {
  mode?: number;
  type?: string;
  oid?: string;
  object?: {
    __typename?: string;
    oid?: string;
    byteSize?: number;
    isBinary?: boolean | null;
    isTruncated?: boolean;
    text?: string | null;
  } | null;
}

interface Answer {
  repository?: {
    id?: string | null;
    databaseId?: number | null;
    defaultBranchRef?: { name?: string } | null;
    pullRequest?: {
      number?: number;
      state?: string;
      headRefOid?: string;
      baseRefName?: string;
      changedFiles?: number;
      commits?: { totalCount?: number };
      author?: { __typename?: string; login?: string; databaseId?: number } | null;
      headRepository?: { nameWithOwner?: string } | null;
      files?: unknown;
      headCommit?: unknown;
      headRuns?: unknown;
      baseRules?: unknown;
      baseRef?: {
        name?: string;
        target?: {
          __typename?: string;
          oid?: string;
          tree?: { oid?: string } | null;
          file?: RawFile | null;
        } | null;
      } | null;
    } | null;
  } | null;
}

class Unusable extends Error {}

function need(ok: unknown, what: string): asserts ok {
  if (!ok) throw new Unusable(what);
}

const isOid = (s: unknown): s is string => typeof s === "string" && /^[0-9a-f]{40,64}$/.test(s);
const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * The pull request, with `baseTip` when the query's answer was usable; read by REST (without a
 * tip) otherwise, `onFallback` told why. Errors of the REST read propagate as before.
 */
export async function readPullRequest(
  octokit: GitHubClient,
  target: PullRequestTarget,
  onFallback: (reason: string) => void = () => {},
): Promise<PullRequestInfo> {
  let answer: Answer;
  const facts = await approvalFactsPart(octokit);
  const parts = [CHANGED_FILES_PART, HEAD_PULLS_PART, HEAD_RUNS_PART, BASE_RULES_PART, facts];
  const dirs = directoriesToAsk(target);
  const dirsFields = directoriesFields(dirs);
  // The parts under the base tip's commit too: errors in several parts at once cost only those.
  const tipParts = [...parts, BASE_ROOT_PART, directoriesPartKeys(dirs)];
  try {
    answer = await octokit
      .graphql<Answer>(pullRequestQuery(dirs), {
        owner: target.owner,
        name: target.repo,
        number: target.number,
        path: CONFIG_PATH,
        ...Object.assign({}, ...parts.map((p) => p.variables)),
        ...dirsFields.variables,
      })
      // Errors only inside parts (the base directories' and root's below the base tip among
      // them): the rest of the answer is used without those parts.
      .catch((err) => answerWithoutFailedParts<Answer>(err, tipParts) ?? Promise.reject(err));
    const info = pullRequestOf(target, answer, dirs);
    const raw = answer.repository!.pullRequest! as RawPullRequest;
    const approvalFacts = facts.parse(raw, info);
    return approvalFacts ? { ...info, approvalFacts } : info;
  } catch (err) {
    // Anything else (no installation token, …) fails this read as the REST one failed before.
    if (!isQueryFailure(err)) throw err;
    onFallback(err instanceof Error ? err.message : String(err));
    return fetchPullRequest(octokit, target);
  }
}

/**
 * GitHub's `errors` (with or without partial data), a failed request to the GraphQL endpoint, or
 * an unusable answer: what REST may still read.
 */
function isQueryFailure(err: unknown): boolean {
  if (err instanceof Unusable) return true;
  const e = err as { name?: string; request?: { url?: string } } | null;
  if (e?.name === "GraphqlResponseError") return true;
  return e?.name === "HttpError" && /\/graphql$/.test(e.request?.url ?? "");
}

function pullRequestOf(
  target: PullRequestTarget,
  answer: Answer,
  dirs?: DirectoriesAsked,
): PullRequestInfo {
  const r = answer?.repository;
  need(r, "no repository in the answer");
  const p = r.pullRequest;
  need(p && p.number === target.number, "no pull request in the answer");
  need(typeof p.state === "string", "no state");
  need(isOid(p.headRefOid), "no head commit");
  need(typeof p.baseRefName === "string" && p.baseRefName !== "", "no base branch name");
  need(isCount(p.changedFiles), "no changed-file count");
  const commits = p.commits?.totalCount;
  need(isCount(commits) && commits < COMMIT_CAP, "no commit count below GitHub's cap");
  need(isCount(r.databaseId), "no repository id");
  const defaultBranch = r.defaultBranchRef?.name;
  need(typeof defaultBranch === "string" && defaultBranch !== "", "no default branch");
  need(p.headRepository !== undefined, "no head repository field");
  const headRepo = p.headRepository === null ? null : p.headRepository.nameWithOwner;
  need(headRepo === null || typeof headRepo === "string", "no head repository name");
  const info: PullRequestInfo = {
    ...target,
    open: p.state === "OPEN",
    headSha: p.headRefOid,
    baseRef: p.baseRefName,
    defaultBranch,
    baseRepoId: r.databaseId,
    // The check-run mutation's repositoryId (checks/batch-create.ts); without it, REST writes.
    ...(typeof r.id === "string" && r.id !== "" ? { baseRepoNodeId: r.id } : {}),
    changedFiles: p.changedFiles,
    commits,
    author: restLogin(p.author),
    ...(accountId(p.author?.databaseId) !== null
      ? { authorId: accountId(p.author?.databaseId)! }
      : {}),
    headRepo,
  };
  const headReads = head.headReadsOf(p as RawPullRequest, info);
  if (headReads) info.headReads = headReads;
  const tip = baseTipOf(p.baseRefName, p.baseRef);
  const plain =
    tip && plainDirectoriesOf(p.baseRef!.target! as Record<string, unknown>, dirs, r.databaseId);
  if (tip && plain) tip.plainDirectories = plain;
  const roots = tip && baseRootOf(p.baseRef!.target! as Record<string, unknown>, tip.treeSha);
  if (tip && roots) tip.knownTrees = roots;
  const headRuns = HEAD_RUNS_PART.parse(p as RawPullRequest, info);
  const baseRules = BASE_RULES_PART.parse(p as RawPullRequest, info);
  return {
    ...info,
    ...(tip ? { baseTip: tip } : {}),
    ...(headRuns ? { headRuns } : {}),
    ...(baseRules ? { baseRules } : {}),
  };
}

/** REST's login of the author: bots carry "[bot]"; other kinds of account are read by REST. */
function restLogin(a: { __typename?: string; login?: string } | null | undefined): string {
  need(a && typeof a.login === "string" && a.login !== "", "no author login");
  if (a.__typename === "User" || a.__typename === "Organization") return a.login;
  if (a.__typename === "Bot") return `${a.login}[bot]`;
  throw new Unusable(`an author of kind ${String(a.__typename)}`);
}

type RawRef = NonNullable<NonNullable<NonNullable<Answer["repository"]>["pullRequest"]>["baseRef"]>;

/** The tip, when the answer shows the branch the pull request names as a commit; else none. */
function baseTipOf(baseRefName: string, ref: RawRef | null | undefined): BaseTip | undefined {
  // A base branch renamed or deleted since, or a ref the answer does not show: REST decides.
  if (!ref || ref.name !== baseRefName) return undefined;
  const t = ref.target;
  if (!t || t.__typename !== "Commit" || !isOid(t.oid) || !isOid(t.tree?.oid)) return undefined;
  if (t.file === undefined) return undefined;
  return { ref: baseRefName, sha: t.oid, treeSha: t.tree.oid, config: configOf(t.file) };
}

/** The config file's text when it is a whole, regular, verified blob; null: read it by REST. */
function configOf(file: RawFile | null): BaseTip["config"] {
  if (file === null) return "absent";
  if (file.type !== "blob" || !FILE_MODES.has(file.mode ?? -1) || !isOid(file.oid)) return null;
  const b = file.object;
  if (b?.__typename !== "Blob" || b.isBinary !== false) return null;
  const bytes = verifiedBlob(file.oid, b);
  return bytes && bytes.length === b.byteSize ? { text: b.text! } : null;
}
