/**
 * What a worker does with a job: hand the delivery to the app's handlers through Probot (the same
 * code the server ran before the queue existed), and when the job fails for good, end its checks
 * `failure` with the reason. A job whose previous worker died first completes the runs that worker
 * left in progress, so no run stays in progress however a worker ends.
 */
import type { Logger } from "probot";
import { ApprovalCheck } from "../github/approval/check.js";
import { externalId, pullNumbersOf } from "../github/checks/external-id.js";
import type { CheckDefinition } from "../github/checks/types.js";
import { errorResult } from "../github/checks/common.js";
import { ownAppId, type GitHubClient, type RepoRef } from "../github/client.js";
import { describeError } from "../github/errors.js";
import { CHECK_NAME_PREFIX } from "../github/checks/types.js";
import { reportFailure } from "../github/checks/write.js";
import { defaultChecks } from "../github/review.js";
import type { WebhookJob } from "./job.js";
import type { JobHandlers, QueuedJob } from "./queue.js";

/** The part of Probot a worker uses (a Probot instance, or the server's app in-process). */
export interface Receiver {
  receive(event: WebhookJob): Promise<void>;
  auth(installationId: number): Promise<GitHubClient>;
  log: Logger;
}

export function probotJobHandlers(probot: Receiver): JobHandlers {
  return {
    async run(job) {
      if (job.stalls > 0) await endOrphanedRuns(probot, job, orphanReason(job.stalls));
      await probot.receive({ id: job.id, name: job.name, payload: job.payload });
    },
    async failed(job, reason) {
      const err = unwrap(reason);
      probot.log.error(
        { id: job.id, event: job.name, attempt: job.attempt, stalls: job.stalls, err },
        "job failed for good: ending its checks as failure",
      );
      const target = failureTarget(job);
      if (!target) return;
      const octokit = await probot.auth(target.installationId);
      const log = probot.log.child({ id: job.id, name: job.name });
      await endOrphanedRuns(probot, job, describeError(err), octokit);
      await reportFailure(
        octokit,
        target.repo,
        target.headSha,
        target.externalId,
        target.checks,
        err,
        log,
      );
    },
  };
}

function orphanReason(stalls: number): string {
  return `the worker evaluating this stopped before finishing (crashed, killed or out of memory${
    stalls > 1 ? `, ${stalls} times` : ""
  }); a newer check run replaces this one`;
}

/** Probot reports handler errors as an AggregateError of one: the cause is what counts. */
function unwrap(err: unknown): unknown {
  let e = err;
  while (e instanceof AggregateError && e.errors.length === 1) e = e.errors[0];
  return e;
}

interface FailureTarget {
  installationId: number;
  repo: RepoRef;
  headSha: string;
  /** Pull request the runs are for, when the payload names exactly one. */
  number: number | null;
  externalId: string;
  checks: CheckDefinition[];
}

interface Payload {
  action?: string;
  installation?: { id?: number };
  repository?: { name?: string; owner?: { login?: string }; id?: number };
  pull_request?: { number?: number; head?: { sha?: string } };
  check_run?: {
    name?: string;
    head_sha?: string;
    external_id?: string | null;
    pull_requests?: Array<{ number?: number; base?: { repo?: { id?: number } } }>;
  };
  check_suite?: {
    head_sha?: string;
    pull_requests?: Array<{ number?: number; base?: { repo?: { id?: number } } }>;
  };
}

/**
 * Where a failed job's checks go: the commit and pull request its payload names, and the checks
 * its handler writes (a review: the approval; a click: the approval; anything else: both). Null
 * for events that write no check of a pull request (nothing to end; the log has it).
 */
export function failureTarget(job: WebhookJob): FailureTarget | null {
  const p = (job.payload ?? {}) as Payload;
  const installationId = p.installation?.id;
  const owner = p.repository?.owner?.login;
  const name = p.repository?.name;
  if (typeof installationId !== "number" || !owner || !name) return null;
  const repo = { owner, repo: name };
  const target = (headSha: unknown, number: number | null, checks: CheckDefinition[]) =>
    typeof headSha === "string" && headSha
      ? {
          installationId,
          repo,
          headSha,
          number,
          externalId: number === null ? "" : externalId({ ...repo, number }),
          checks,
        }
      : null;
  const single = (ns: readonly number[] | null) => (ns?.length === 1 ? ns[0]! : null);
  const listed = (list: unknown) =>
    Array.isArray(list)
      ? (list as Array<{ number?: number; base?: { repo?: { id?: number } } }>)
          .filter((x) => x.base?.repo?.id === p.repository?.id && typeof x.number === "number")
          .map((x) => x.number!)
      : [];

  switch (job.name) {
    case "pull_request":
      return target(p.pull_request?.head?.sha, p.pull_request?.number ?? null, defaultChecks());
    case "pull_request_review":
      return target(p.pull_request?.head?.sha, p.pull_request?.number ?? null, [
        new ApprovalCheck(),
      ]);
    case "check_run": {
      const run = p.check_run;
      if (!run?.name?.startsWith(CHECK_NAME_PREFIX)) return null;
      const number = single(pullNumbersOf(run.external_id) ?? listed(run.pull_requests));
      if (p.action === "requested_action")
        return target(run.head_sha, number, [new ApprovalCheck()]);
      const named = defaultChecks().filter((c) => c.name === run.name);
      return target(run.head_sha, number, named.length > 0 ? named : defaultChecks());
    }
    case "check_suite":
      return target(
        p.check_suite?.head_sha,
        single(listed(p.check_suite?.pull_requests)),
        defaultChecks(),
      );
    default:
      return null;
  }
}

/**
 * Completes, as failure with `reason`, this app's runs left in progress on the job's commit (and
 * on the pull request's current head) for its pull request: a worker that died mid-job created
 * them. Best effort: a failure here is logged and the job goes on (its own runs are fresh).
 */
async function endOrphanedRuns(
  probot: Receiver,
  job: QueuedJob | WebhookJob,
  reason: string,
  client?: GitHubClient,
): Promise<void> {
  const target = failureTarget(job);
  if (!target || target.number === null) return;
  const log = probot.log.child({ id: job.id, name: job.name });
  try {
    const octokit = client ?? (await probot.auth(target.installationId));
    const appId = await ownAppId(octokit);
    const heads = new Set([target.headSha]);
    try {
      const { data } = await octokit.rest.pulls.get({ ...target.repo, pull_number: target.number });
      heads.add(data.head.sha);
    } catch (err) {
      log.warn({ err }, "reading the pull request's head failed");
    }
    const result = errorResult(reason);
    for (const ref of heads) {
      for (const check of target.checks) {
        const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
          ...target.repo,
          ref,
          check_name: check.name,
          app_id: appId,
          status: "in_progress",
          filter: "all",
          per_page: 100,
        });
        for (const run of runs) {
          if (run.status === "completed" || run.app?.id !== appId) continue;
          if (!pullNumbersOf(run.external_id)?.includes(target.number)) continue;
          await octokit.rest.checks.update({
            ...target.repo,
            check_run_id: run.id,
            status: "completed",
            conclusion: "failure",
            output: { title: result.title, summary: result.summary },
          });
          log.warn({ run: run.id, check: check.name }, "ended a check run left in progress");
        }
      }
    }
  } catch (err) {
    log.error({ err }, "ending check runs left in progress failed");
  }
}
