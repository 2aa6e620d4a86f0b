/**
 * The write stage for checks of a commit no pull request owns (a merge group's head): as a review
 * writes its runs (write.ts), a quick evaluation (settled within `pendingAfterMs`, deadline.ts) is
 * written as one completed create per check, and a slow one shows its runs in_progress while it
 * runs and completes them at the end. There is no pull request whose newer evaluations or earlier
 * identical runs to look for. Whatever fails, every started run ends completed (failure with the
 * reason), never left in progress.
 *
 * But the commit is not the group's alone: a pull request can have it as head (a branch of the
 * queue's commit, into another base), and that base's protection reads the newest run of a name
 * on it, whichever evaluation wrote it. So, as a review's writer does (write.ts
 * endPassesHidingNewer), once its passes are written one listing of the app's runs looks for a
 * run created before a pass that does not pass and is not the group's own older evaluation: a
 * pull request's block, or a newer evaluation's of the group. The pass then ends as failure;
 * a Re-run of the group's pass after such a block cannot hide it.
 */
import type { Logger } from "probot";
import type { GitHubClient, RepoRef } from "../client.js";
import { settledWithin } from "../deadline.js";
import { describeError } from "../errors.js";
import { CheckRun } from "./check-run.js";
import type { CheckResult, Conclusion } from "./types.js";
import { PASSING } from "./write-shared.js";
import { readMarker, runsOfApp, type WrittenRun } from "./written.js";
import { pullNumbersOf } from "./external-id.js";
import { fetchPullRequest } from "../pull-request.js";

export interface CommitCheck {
  name: string;
  /** Output while a slow evaluation runs. */
  pending: { title: string; summary: string };
  detailsUrl?: string;
}

export interface CommitWriting {
  octokit: GitHubClient;
  repo: RepoRef;
  headSha: string;
  /** Every run's external_id, unless its result names one. */
  externalId: string;
  /** When the evaluation started (ms since the epoch), for the runs' markers. */
  startedAt: number;
  /** Shown in_progress after this long (≤ 0: before evaluating). */
  pendingAfterMs: number;
  log: Logger;
  /** A check's result when its run could not be written or started: failure with the reason. */
  failed(reason: string): CheckResult;
  /** Whether a run's external_id is this commit's subject's own (the same merge group's). */
  isOwn(externalId: string | null): boolean;
}

/**
 * Evaluates (`evaluate` must not reject: a failed evaluation is each check's failure) and writes
 * one run per check; returns the conclusions written. Throws when GitHub accepts none of a
 * check's writes.
 */
export async function writeCommitChecks(
  w: CommitWriting,
  checks: readonly CommitCheck[],
  evaluate: () => Promise<readonly CheckResult[]>,
): Promise<Record<string, Conclusion>> {
  if (w.pendingAfterMs > 0) {
    const evaluated = evaluate();
    if (await settledWithin(evaluated, w.pendingAfterMs)) {
      const results = await evaluated;
      return writeEach(w, checks, (check, i) => {
        const result = results[i]!;
        return {
          result,
          write: () => CheckRun.write(w.octokit, w.repo, start(w, check), result),
          fail: (err) =>
            CheckRun.reportFailedWrite(
              w.octokit,
              w.repo,
              { ...start(w, check), externalId: result.externalId ?? w.externalId },
              err,
              w.failed,
            ),
        };
      });
    }
    return writeSlowly(w, checks, () => evaluated);
  }
  return writeSlowly(w, checks, evaluate);
}

async function writeSlowly(
  w: CommitWriting,
  checks: readonly CommitCheck[],
  evaluate: () => Promise<readonly CheckResult[]>,
): Promise<Record<string, Conclusion>> {
  const runs: CheckRun[] = [];
  for (const check of checks) {
    try {
      runs.push(await CheckRun.start(w.octokit, w.repo, { ...start(w, check), ...check.pending }));
    } catch (err) {
      w.log.error({ err, check: check.name }, "starting the check run failed");
      // Started runs are completed as failed, the others created so: every check says why.
      const failed = w.failed(describeError(err));
      return writeEach(w, checks, (c, i) => ({
        result: failed,
        write: () =>
          runs[i]
            ? runs[i].complete(failed)
            : CheckRun.report(w.octokit, w.repo, start(w, c), failed),
      }));
    }
  }
  const results = await evaluate();
  return writeEach(w, checks, (_, i) => ({
    result: results[i]!,
    write: () => runs[i]!.complete(results[i]!).then(() => runs[i]!),
    fail: (err) => runs[i]!.complete(w.failed(describeError(err))),
  }));
}

function start(w: CommitWriting, check: CommitCheck) {
  return {
    name: check.name,
    headSha: w.headSha,
    externalId: w.externalId,
    startedAt: w.startedAt,
    ...(check.detailsUrl !== undefined ? { detailsUrl: check.detailsUrl } : {}),
  };
}

interface Write {
  result: CheckResult;
  /** The run written with `result` (to look after when it passes), or nothing to look after. */
  write(): Promise<CheckRun | void>;
  /** Writes the failure `err` to write `result` instead (none: the failure is thrown). */
  fail?(err: unknown): Promise<void>;
}

/** Each check's write, its failure written instead when it fails; throws what could not be. */
async function writeEach(
  w: CommitWriting,
  checks: readonly CommitCheck[],
  writeOf: (check: CommitCheck, i: number) => Write,
): Promise<Record<string, Conclusion>> {
  const out: Record<string, Conclusion> = {};
  const unwritten: unknown[] = [];
  const passes: Array<{ run: CheckRun; result: CheckResult }> = [];
  for (const [i, check] of checks.entries()) {
    const { result, write, fail } = writeOf(check, i);
    try {
      const run = await write();
      out[check.name] = result.conclusion;
      if (run && PASSING.has(result.conclusion)) passes.push({ run, result });
    } catch (err) {
      w.log.error({ err, check: check.name }, "writing the check run failed");
      try {
        if (!fail) throw err;
        await fail(err);
        out[check.name] = "failure";
      } catch (err2) {
        unwritten.push(err2);
      }
    }
  }
  for (const { pass, end } of await passesOverBlocks(w, passes)) {
    try {
      // The record (a group approval's digest) stays: only the conclusion changes.
      await pass.run.complete({
        ...end,
        ...(pass.result.externalId !== undefined ? { externalId: pass.result.externalId } : {}),
      });
      out[pass.run.name] = end.conclusion;
    } catch (err) {
      w.log.error({ err, check: pass.run.name }, "ending a pass over a block failed");
      unwritten.push(err);
    }
  }
  if (unwritten.length > 0) throw new AggregateError(unwritten, "check runs could not be written");
  return out;
}

/**
 * The passes written that would hide a run of the same name by this app created before them that
 * does not pass and is not an older evaluation of the same subject (see the module's comment),
 * each with its end. A run naming pull requests counts only while one of them is still open with
 * this commit as head (one read each, only for such runs): a closed pull request's old block
 * would otherwise fail every later evaluation of the group. Every pass ends as failure when the
 * runs or those pull requests cannot be read (fail closed).
 */
async function passesOverBlocks(
  w: CommitWriting,
  passes: ReadonlyArray<{ run: CheckRun; result: CheckResult }>,
): Promise<Array<{ pass: { run: CheckRun; result: CheckResult }; end: CheckResult }>> {
  if (passes.length === 0) return [];
  const appId = passes[0]!.run.appId;
  const ends: Array<{ pass: { run: CheckRun; result: CheckResult }; end: CheckResult }> = [];
  try {
    if (appId === null) throw new Error("GitHub did not say which app created the run");
    const listed = await runsOfApp(w.octokit, w.repo, w.headSha, appId);
    const heads = new Map<number, Promise<boolean>>();
    const onThisHead = (number: number) => {
      let open = heads.get(number);
      if (!open)
        heads.set(
          number,
          (open = fetchPullRequest(w.octokit, { ...w.repo, number }).then(
            (pr) => pr.open && pr.headSha === w.headSha,
          )),
        );
      return open;
    };
    for (const pass of passes) {
      const { run } = pass;
      const candidates = listed
        .filter(
          (r) =>
            r.id < run.id &&
            r.name === run.name &&
            r.appId === appId &&
            !(r.status === "completed" && PASSING.has((r.conclusion ?? "") as Conclusion)) &&
            // An older evaluation of this same group: this newer one decides.
            !(w.isOwn(r.externalId) && (readMarker(r.summary)?.startedAt ?? 0) <= w.startedAt),
        )
        .sort((a, b) => b.id - a.id);
      for (const r of candidates) {
        const pulls = pullNumbersOf(r.externalId);
        if (pulls !== null && !(await someAsync(pulls, onThisHead))) continue;
        w.log.info({ check: run.name, block: r.id }, "a pass would hide a block on its commit");
        ends.push({ pass, end: overBlockResult(r) });
        break;
      }
    }
  } catch (err) {
    w.log.error({ err }, "reading the commit's other check runs failed");
    const end = w.failed(
      `the commit's other check runs, and the pull requests they name, could not be read to confirm that this pass hides no block (${describeError(err)})`,
    );
    return passes.map((pass) => ({ pass, end }));
  }
  return ends;
}

async function someAsync<T>(items: readonly T[], test: (t: T) => Promise<boolean>) {
  for (const item of items) if (await test(item)) return true;
  return false;
}

/** A pass's end when it would hide `block`: failure, pointing at it. */
function overBlockResult(block: WrittenRun): CheckResult {
  const link = block.url ? `[check run ${block.id}](${block.url})` : `check run ${block.id}`;
  return {
    conclusion: "failure",
    title: "Superseded by a blocking check run on this commit",
    summary: [
      `This commit has a check run of this name that does not pass: ${link}, written for ${block.externalId ?? "another evaluation"}. Check runs belong to commits, not to this group: a pull request whose head is this commit (into another base) reads the newest run of the name too, so this run ends as failure rather than hide that one.`,
      "",
      "Close or retarget that pull request (or fix what it blocks on), then re-run this check.",
    ].join("\n"),
  };
}
