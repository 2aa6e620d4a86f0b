/**
 * The write stage of a review: each check's rendered result becomes a fresh run on the pull
 * request's head. A quick evaluation writes each result as one completed run (all of them in one
 * mutation request when it can: batch-create.ts), and nothing at all when the newest run of that
 * check already shows exactly that result (written.ts) — a blocking one only when no other
 * evaluation of that check overlapped this one (in-flight.ts); a slow one (the sandbox replay)
 * starts every run in_progress first and completes them at the end (write-slow.ts). An older
 * evaluation never passes over a newer one (in-flight.ts, the runs' markers). Whatever fails,
 * every started run ends completed (failure with the reason), never left in progress.
 */
import { describeError } from "../errors.js";
import { CheckRun, prepareResult, type PreparedResult, type WriteCreate } from "./check-run.js";
import { errorResult } from "./common.js";
import { externalId } from "./external-id.js";
import type { PullRequestInfo } from "../pull-request.js";
import type { CheckDefinition, CheckResult, Conclusion } from "./types.js";
import {
  createAll,
  keepRecord,
  PASSING,
  supersededResult,
  expiredResult,
  type Rendered,
  type Writing,
} from "./write-shared.js";
import {
  identicalNewest,
  newerEvaluation,
  runsOnCommit,
  runsOfApp,
  unweighedBlock,
  type WrittenRun,
} from "./written.js";

export { reportFailure, type LazyResults, type Rendered, type Writing } from "./write-shared.js";
export { writeSlowly } from "./write-slow.js";

/**
 * A quick evaluation: each result is written as a fresh completed run, unless the newest run of
 * that check on the commit already shows exactly it, or (for a passing result) an evaluation of
 * the same commit that started later has written or is writing its own.
 */
export async function writeResults(
  w: Writing,
  checks: readonly CheckDefinition[],
  rendered: readonly Rendered[],
): Promise<void> {
  const { env, repo, pr, log, outcome } = w;
  let written: WrittenRun[] = [];
  if (w.appId !== null) {
    try {
      written =
        listedByFirstRead(pr, rendered) ?? (await runsOnCommit(env.octokit, repo, pr.headSha));
    } catch (err) {
      // Unknown is never "already written", and a passing answer is not trusted without it.
      log.error({ err }, "listing the commit's check runs failed");
      rendered = rendered.map(({ check, result }) => ({
        check,
        result: PASSING.has(result.conclusion)
          ? keepRecord(errorResult(describeError(err)), result)
          : result,
      }));
    }
  }
  const unwritten: unknown[] = [];
  const passes: WrittenPass[] = [];
  const decided: Decided[] = [];
  for (const rendered1 of rendered) {
    const { check } = rendered1;
    let { result } = rendered1;
    const start = {
      name: check.name,
      headSha: pr.headSha,
      externalId: externalId(pr),
      startedAt: w.startedAt,
      ...(check.detailsUrl !== undefined ? { detailsUrl: check.detailsUrl } : {}),
    };
    if (PASSING.has(result.conclusion)) {
      const inProcess = w.generation.superseded(check.name);
      const listed =
        w.appId !== null
          ? newerEvaluation(written, check.name, w.appId, pr.number, w.startedAt, null)
          : null;
      if (inProcess || listed) {
        const newer = { id: listed?.id ?? null, url: listed?.url ?? null };
        log.info(
          { check: check.name, newer: newer.id },
          "a newer evaluation of the commit decides",
        );
        // A recorded click is written all the same (failing, keeping the record); else nothing.
        if (!result.alwaysWrite) continue;
        result = keepRecord(supersededResult(newer), result);
      }
    }
    const prepared = prepare(start, result);
    // A pass is left unwritten when the newest run already shows it; a block only when the
    // registry proves no other evaluation of the check overlapped this one (asked below, after
    // every read): an older one in another process that saw a pass finds a newer evaluation only
    // by its run (docs/github-app.md, "Why the block is not skipped too").
    const same =
      w.appId !== null && !env.rewrite && !result.alwaysWrite
        ? identicalNewest(written, check.name, w.appId, prepared.shown, prepared.digest)
        : null;
    decided.push({ start, result, prepared, same });
  }
  const blocks = decided.filter((d) => d.same && !PASSING.has(d.result.conclusion));
  const alone =
    blocks.length > 0 && w.inFlight
      ? await w.inFlight.alone(blocks.map((d) => d.start.name))
      : new Set<string>();
  // Right before the create that carries them: a pass of an evaluation others may no longer see
  // (its registration's lease may have ended, or the store forgot it: held()) is not written,
  // since one that found itself alone may have left a block unwritten meanwhile. Failure with
  // the reason, never a pass. Asked of the store only when a pass is to be created.
  const createsPass = decided.some((d) => PASSING.has(d.result.conclusion) && !d.same);
  const live = createsPass && w.inFlight ? await w.inFlight.held() : true;
  const creates: WriteCreate[] = [];
  for (const d of decided) {
    const name = d.start.name;
    if (d.same && (PASSING.has(d.result.conclusion) || alone.has(name))) {
      log.info({ check: name, run: d.same.id }, "unchanged: the newest run already shows this");
      outcome.conclusions[name] = d.result.conclusion;
      (outcome.unchanged ??= []).push(name);
      continue;
    }
    if (!live && PASSING.has(d.result.conclusion)) {
      log.warn({ check: name }, "the evaluation outlived its registration: no pass written");
      const result = keepRecord(expiredResult(), d.result);
      creates.push(CheckRun.writeCreate(repo, d.start, result, prepare(d.start, result)));
      continue;
    }
    creates.push(CheckRun.writeCreate(repo, d.start, d.result, d.prepared));
  }
  // Every run to write in one request (batch-create.ts), each answer then handled as before.
  const created = await createAll(
    w,
    creates.map((c) => c.params),
  );
  for (const [i, create] of creates.entries()) {
    const { s: start, result } = create;
    const name = start.name;
    try {
      const answer = created[i]!;
      if ("error" in answer) throw answer.error;
      const run = await CheckRun.written(env.octokit, repo, answer.run, create);
      outcome.conclusions[name] = result.conclusion;
      if (PASSING.has(result.conclusion)) passes.push({ run, result, start });
    } catch (err) {
      await reportFailedWrite(w, name, start, result, err, unwritten);
    }
  }
  // Every pass written, one look at the runs for all of them (see endPassesHidingNewer): its own
  // request after the mutation's answer, never read in that answer's payload (batch-create.ts).
  for (const { pass, replacement } of await endPassesHidingNewer(w, passes)) {
    try {
      await pass.run.complete(keepRecord(replacement, pass.result));
      outcome.conclusions[pass.run.name] = replacement.conclusion;
    } catch (err) {
      await reportFailedWrite(w, pass.run.name, pass.start, pass.result, err, unwritten);
    }
  }
  if (unwritten.length > 0) throw new AggregateError(unwritten, "check runs could not be written");
}

/** A passing run this evaluation wrote, with what it was written from. */
interface WrittenPass {
  run: CheckRun;
  result: CheckResult;
  start: RunTarget;
}

/** What a failed write's failure run is written with. */
type RunTarget = Parameters<typeof CheckRun.reportFailedWrite>[2];

/**
 * The runs the first read listed on the head (first-read/head-runs.ts), when they are of this
 * head and cover every check written; null: list them now.
 */
function listedByFirstRead(
  pr: PullRequestInfo,
  rendered: readonly Rendered[],
): WrittenRun[] | null {
  const listed = pr.headRuns;
  if (!listed || listed.sha !== pr.headSha) return null;
  return rendered.every(({ check }) => listed.names.includes(check.name)) ? listed.runs : null;
}

/** A write that failed: its run ends (or is created) as failure with the reason. */
async function reportFailedWrite(
  w: Writing,
  name: string,
  start: RunTarget,
  result: CheckResult,
  err: unknown,
  unwritten: unknown[],
): Promise<void> {
  w.log.error({ err, check: name }, "writing the check run failed");
  try {
    await CheckRun.reportFailedWrite(
      w.env.octokit,
      w.repo,
      { ...start, externalId: result.externalId ?? start.externalId },
      err,
      errorResult,
    );
    w.outcome.conclusions[name] = "failure";
  } catch (err2) {
    unwritten.push(err2);
  }
}

/**
 * After the passing runs are written: an evaluation that started later (another process, which
 * in-flight.ts cannot see) may have written its run between this one's listing and its create.
 * GitHub shows the newest run, so an older pass would hide it: when such a run, created before
 * the pass, does not show a pass, the pass ends as superseded (failure). One listing of this
 * app's runs on the commit (every page) serves every pass; a listing that fails leaves them all
 * untrusted: each ends as failure with the reason. Returns the passes to end, with their end.
 */
async function endPassesHidingNewer(
  w: Writing,
  passes: readonly WrittenPass[],
): Promise<Array<{ pass: WrittenPass; replacement: CheckResult }>> {
  const ends: Array<{ pass: WrittenPass; replacement: CheckResult }> = [];
  // The registration may have been lost between the look before the create and the create
  // landing: an evaluation that registered meanwhile found itself alone, read the runs before
  // this pass was there, and may have left its block unwritten. Asked after every create, so a
  // loss before any such evaluation registered is seen here (the store never gives it back).
  if (passes.length > 0 && w.inFlight && !(await w.inFlight.held())) {
    w.log.warn("the evaluation's registration was lost while writing: no pass stays");
    return passes.map((pass) => ({ pass, replacement: expiredResult() }));
  }
  const byApp = new Map<number, WrittenPass[]>();
  for (const pass of passes) {
    const appId = pass.run.appId ?? w.appId;
    if (appId !== null) byApp.set(appId, [...(byApp.get(appId) ?? []), pass]);
  }
  for (const [appId, ofApp] of byApp) {
    let listed: WrittenRun[];
    try {
      listed = await runsOfApp(w.env.octokit, w.repo, w.pr.headSha, appId);
    } catch (err) {
      w.log.error({ err }, "listing the commit's check runs failed");
      const replacement = errorResult(describeError(err));
      ends.push(...ofApp.map((pass) => ({ pass, replacement })));
      continue;
    }
    for (const pass of ofApp) {
      const { run } = pass;
      const hidden = listed.filter(
        (r) =>
          r.id < run.id &&
          !(r.status === "completed" && PASSING.has((r.conclusion ?? "") as Conclusion)),
      );
      const newer =
        newerEvaluation(hidden, run.name, appId, w.pr.number, run.startedAt, run.id) ??
        // Started earlier, but for a pull request of the head this evaluation never saw.
        (pass.result.weighed ? unweighedBlock(hidden, run.name, appId, pass.result.weighed) : null);
      if (!newer) continue;
      w.log.info(
        { check: run.name, newer: newer.id },
        "a newer evaluation's run was written first",
      );
      ends.push({ pass, replacement: supersededResult({ id: newer.id, url: newer.url ?? null }) });
    }
  }
  return ends;
}

interface Decided {
  start: RunTarget & { startedAt: number };
  result: CheckResult;
  prepared: PreparedResult;
  /** The newest run when it already shows exactly this result. */
  same: WrittenRun | null;
}

function prepare(start: Decided["start"], result: CheckResult): PreparedResult {
  return prepareResult(start.name, result, start.externalId, start.detailsUrl, start.startedAt);
}
