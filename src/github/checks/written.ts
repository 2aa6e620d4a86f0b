/**
 * What a check run of this app already says, so an evaluation that changes nothing writes nothing.
 *
 * Every run this app writes carries a hidden marker in its summary (an HTML comment, invisible):
 * when its evaluation started, and, once it has a result, a digest of everything the run shows
 * (conclusion, title, summary, text, annotations, actions, external_id, details link). A new
 * result is "already written" only when the newest run of that check on that commit, created by
 * this app (app id checked run by run, never by name alone), is completed with the same digest,
 * conclusion, external_id and annotation count. The marker is only writable by this app: nobody
 * else can edit its runs.
 *
 * Where the runs come from: a pull request event's first query reads the head's runs of the
 * app's checks (first-read/head-runs.ts, checked whole); runsOnCommit lists them by REST only
 * when that part was not usable. So the list is taken before the evaluation, not just before
 * writing, and a run another process writes meanwhile is not in it. Why that stays safe:
 * - identicalNewest: a pass is left unwritten when this app's identical pass was the newest run
 *   when listed. A run written since is newer than that one and GitHub shows it: a block (from
 *   a newer evaluation, or an older one) stays shown, failing closed until the next evaluation;
 *   a pass shows a pass, which this evaluation concluded too. Blocks are never skipped.
 * - newerEvaluation before writing: runs listed before this evaluation started can only be of
 *   evaluations started before it (clock skew aside), so a newer evaluation is found by the
 *   in-process registry (in-flight.ts) and, in another process, by the look after writing:
 * - the look after writing (write.ts endPassesHidingNewer) lists the app's runs once every run
 *   is created, as before: a newer evaluation's run that is not a pass, created before this
 *   pass, ends the pass as superseded; a newer pass left below it shows the same conclusion.
 * What widens is the window in which an older evaluation's block lands after this one's list
 * and stays over a pass it left unwritten: shown blocked (never passing) until the next event.
 */
import { createHash } from "node:crypto";
import type { GitHubClient, RepoRef } from "../client.js";
import { LINT_CHECK_NAME } from "../../core/approval/types.js";
import { pullNumbersOf } from "./external-id.js";
import type { CheckResult, Conclusion } from "./types.js";

/** One run on a commit, as the writer needs to know it. */
export interface WrittenRun {
  id: number;
  name: string;
  /** The app that created it (null when GitHub does not say). */
  appId: number | null;
  status: string;
  conclusion: string | null;
  externalId: string | null;
  summary: string | null;
  annotationsCount: number;
  url?: string | null;
}

/**
 * The check runs on one commit, of every app (a newer run of the same name by another app is what
 * GitHub shows, so ours is not "already written" then): one listing, every page only when the
 * commit has more than 100 runs, so no decision is made from a partial list.
 */
export async function runsOnCommit(
  octokit: GitHubClient,
  repo: RepoRef,
  headSha: string,
): Promise<WrittenRun[]> {
  const params = { ...repo, ref: headSha, filter: "all" as const, per_page: 100 };
  const { data } = await octokit.rest.checks.listForRef(params);
  const runs =
    data.total_count > data.check_runs.length
      ? await octokit.paginate(octokit.rest.checks.listForRef, params)
      : data.check_runs;
  return runs.filter((r) => r.head_sha === headSha).map(writtenRun);
}

/** Every run of `name` by `appId` on a commit (every page). */
export async function runsOfName(
  octokit: GitHubClient,
  repo: RepoRef,
  headSha: string,
  name: string,
  appId: number,
): Promise<WrittenRun[]> {
  return runsOfApp(octokit, repo, headSha, appId, name);
}

/** Every run by `appId` on a commit, of every name or of `name` only (every page). */
export async function runsOfApp(
  octokit: GitHubClient,
  repo: RepoRef,
  headSha: string,
  appId: number,
  name?: string,
): Promise<WrittenRun[]> {
  const listed = await octokit.paginate(octokit.rest.checks.listForRef, {
    ...repo,
    ref: headSha,
    ...(name !== undefined ? { check_name: name } : {}),
    app_id: appId,
    filter: "all",
    per_page: 100,
  });
  return listed.filter((r) => r.head_sha === headSha).map(writtenRun);
}

type ListedRun = Awaited<
  ReturnType<GitHubClient["rest"]["checks"]["listForRef"]>
>["data"]["check_runs"][number];

function writtenRun(r: ListedRun): WrittenRun {
  return {
    id: r.id,
    name: r.name,
    appId: r.app?.id ?? null,
    status: r.status,
    conclusion: r.conclusion,
    externalId: r.external_id,
    summary: r.output?.summary ?? null,
    annotationsCount: r.output?.annotations_count ?? 0,
    url: r.html_url ?? null,
  };
}

const MARKER =
  /<!-- migration-warden evaluation started=(\d{1,16})(?: digest=([0-9a-f]{64}))? -->/g;

/** The marker of a run of an evaluation started at `startedAt` (ms), with its result's digest. */
export function evaluationMarker(startedAt: number, digest?: string): string {
  return `<!-- migration-warden evaluation started=${startedAt}${digest ? ` digest=${digest}` : ""} -->`;
}

/**
 * The app appends its marker after everything else the summary shows, so only the last one is
 * its own: text from the change (file names, SQL excerpts) may carry a copy earlier on.
 */
export function readMarker(
  summary: string | null,
): { startedAt: number; digest: string | null } | null {
  const m = [...(summary ?? "").matchAll(MARKER)].at(-1);
  return m ? { startedAt: Number(m[1]), digest: m[2] ?? null } : null;
}

/** What a run shows, exactly as it is sent (after size limits), hashed. */
export interface ShownRun {
  name: string;
  conclusion: Conclusion;
  title: string;
  summary: string;
  text?: string;
  annotations: readonly unknown[];
  actions: readonly unknown[];
  externalId: string;
  detailsUrl?: string;
}

/**
 * The replay's report times each step and statement (`| 12 ms |`, `| 1.8 ms |` in its lock
 * table, `applied in 340 ms`): two evaluations of the same change differ there and nowhere else,
 * so durations are left out of the digest (the run keeps the first evaluation's timings). Only
 * those report forms are masked: any other number, in SQL excerpts or messages, still counts.
 */
function withoutTimings(s: string): string {
  return s
    .replace(/\| \d+(?:\.\d+)? ms \|/g, "| # ms |")
    .replace(/\bapplied in \d+(?:\.\d+)? ms\b/g, "applied in # ms");
}

export function outputDigest(run: ShownRun): string {
  const canonical = JSON.stringify([
    run.name,
    run.conclusion,
    run.title,
    withoutTimings(run.summary),
    run.text === undefined ? null : withoutTimings(run.text),
    run.annotations,
    run.actions,
    run.externalId,
    run.detailsUrl ?? null,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * The newest run of `name` among `runs` when it is this app's and already shows exactly `shown`
 * (digest `digest`); null when anything differs, it is not finished, or it is not this app's.
 */
export function identicalNewest(
  runs: readonly WrittenRun[],
  name: string,
  appId: number,
  shown: ShownRun,
  digest: string,
): WrittenRun | null {
  // Newest only: an identical run older than a different one is what GitHub no longer shows;
  // and the newest of the name by any app must be this app's.
  const newest = runs
    .filter((r) => r.name === name)
    .reduce<WrittenRun | null>((a, r) => (a === null || r.id > a.id ? r : a), null);
  if (newest === null || newest.appId !== appId || newest.status !== "completed") return null;
  if (readMarker(newest.summary)?.digest !== digest) return null;
  if (newest.conclusion !== shown.conclusion) return null;
  if ((newest.externalId ?? "") !== shown.externalId) return null;
  if (newest.annotationsCount !== shown.annotations.length) return null;
  return newest;
}

/**
 * Checks whose run on a head decides for every open pull request with that head, whichever one
 * it was written for: the lint run lints the head as proposed in each of them (checks/lint.ts)
 * while its external_id names one only (its format is the contract's). So a newer evaluation of
 * any pull request of the head saw this one's pull request too, and decides for it: an older pass
 * of another pull request must not be written over its block. (Approval runs name every pull
 * request they decided for, so the pull request number already finds them.)
 */
const HEAD_WIDE: ReadonlySet<string> = new Set([LINT_CHECK_NAME]);

/** True when a newer run of `name` for any pull request of the head decides (HEAD_WIDE). */
export function decidesForHead(name: string): boolean {
  return HEAD_WIDE.has(name);
}

/**
 * For a check that decides for the head (its result carries `weighed`: lint, and approval, whose
 * runs name every pull request they decided for): a run of it by this app among `runs` (the caller's:
 * those created before the pass being judged that do not pass) naming a pull request outside `weighed`,
 * the ones the pass's evaluation looked at; null when there is none. Such a run decided for a
 * pull request of the head this evaluation never saw: GitHub's listing of a commit's pull
 * requests omits some (a commit on the default branch lists only its merged one), and the run
 * was written after this evaluation read the head's runs, by an evaluation that started earlier
 * (so newerEvaluation does not find it). A pass created after it would hide its block from branch
 * protection on that pull request's base. Its evaluation's next event weighs it (the run names it).
 * A run naming no pull request (a merge group's) is never weighed: a pull request whose head is a
 * merge group's commit cannot pass over the group's block.
 */
export function unweighedBlock(
  runs: readonly WrittenRun[],
  name: string,
  appId: number,
  weighed: readonly number[],
): WrittenRun | null {
  let found: WrittenRun | null = null;
  for (const r of runs) {
    if (r.name !== name || r.appId !== appId) continue;
    // A run naming no pull request decided for something no head group holds: a merge group
    // whose head commit a pull request reuses (its branch is the repository's like any other),
    // whose queue reads the newest run of the name on that commit.
    const pulls = pullNumbersOf(r.externalId);
    if (pulls !== null && pulls.every((n) => weighed.includes(n))) continue;
    if (found === null || r.id > found.id) found = r;
  }
  return found;
}

/**
 * A run of this check by this app for the same pull request (for any pull request of the head,
 * for a check that decides for the head: decidesForHead) whose evaluation started after
 * `startedAt` (so saw facts at least as new); null when there is none. Runs without a marker
 * (written before it existed) count when their id is above `ownId`.
 */
export function newerEvaluation(
  runs: readonly WrittenRun[],
  name: string,
  appId: number,
  pullNumber: number,
  startedAt: number,
  ownId: number | null,
): WrittenRun | null {
  let newest: WrittenRun | null = null;
  for (const r of runs) {
    if (r.name !== name || r.appId !== appId || r.id === ownId) continue;
    const pulls = pullNumbersOf(r.externalId);
    if (!pulls || !(decidesForHead(name) ? pulls.length > 0 : pulls.includes(pullNumber))) continue;
    const marker = readMarker(r.summary);
    const later = marker ? marker.startedAt > startedAt : ownId !== null && r.id > ownId;
    if (later && (newest === null || r.id > newest.id)) newest = r;
  }
  return newest;
}

/** The result's external_id as the run will carry it. */
export function shownRun(
  name: string,
  result: CheckResult,
  externalId: string,
  detailsUrl: string | undefined,
  fit: (s: string) => string,
): ShownRun {
  return {
    name,
    conclusion: result.conclusion,
    title: result.title,
    summary: fit(result.summary),
    ...(result.text !== undefined ? { text: fit(result.text) } : {}),
    annotations: result.annotations ?? [],
    actions: result.actions ?? [],
    externalId: result.externalId ?? externalId,
    ...(detailsUrl !== undefined ? { detailsUrl } : {}),
  };
}
