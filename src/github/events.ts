/**
 * Webhook events → the pull requests to review, and which checks. Every event ends in
 * reviewPullRequest, which re-reads the PR, so a late or repeated delivery reviews the current
 * head and nothing older.
 */
import type { Context } from "probot";
import { APPROVAL_CHECK_NAME, recordTime } from "../core/approval/index.js";
import { parseGroupRunId } from "../core/approval/group.js";
import { ApprovalCheck } from "./approval/check.js";
import { ownAppId, type GitHubClient, type PullRequestTarget, type RepoRef } from "./client.js";
import { CHECK_NAME_PREFIX, type CheckDefinition } from "./checks/types.js";
import {
  commitPullRequests,
  ownSuiteRuns,
  runPullRequests,
  unique,
  type SuiteRuns,
} from "./commit-pulls.js";
import { describeError, EvaluationError } from "./errors.js";
import type { DynamicChecksFactory } from "../changeset/source.js";
import type { EnforcementCache } from "./enforcement-cache.js";
import type { GitObjectCache } from "./git-object-cache.js";
import type { Tool } from "./evaluate.js";
import { createClientFactory, type RequestPolicy } from "./octokit.js";
import { reviewMergeGroup, type MergeGroupPayload } from "./merge-group.js";
import { pushFacts, routePush, type PushPayload } from "./push.js";
import { installationRepositories, pullRequestsToReevaluate } from "./reevaluate.js";
import { reportFailure } from "./checks/write.js";
import { defaultChecks, processInFlight, reviewPullRequest } from "./review.js";
import type { InFlight } from "./checks/in-flight.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.edited",
] as const;

/**
 * Events that can take eligibility away without an event of the pull requests it decides: a
 * member removed from a team or the organization, a team deleted, edited or removed from a
 * repository, a collaborator's role lowered or removed. They re-evaluate the approval of open pull
 * requests whose approval passes (reevaluate.ts).
 */
export const ELIGIBILITY_EVENTS = [
  "membership.removed",
  "organization.member_removed",
  "team.deleted",
  "team.edited",
  "team.removed_from_repository",
  "member.removed",
  "member.edited",
] as const;

/** Reviews change only the approval: lint does not depend on them and is not run again. */
export const REVIEW_EVENTS = [
  "pull_request_review.submitted",
  "pull_request_review.edited",
  "pull_request_review.dismissed",
] as const;

export { CHECK_NAME_PREFIX };

type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;
type EligibilityContext = Context<(typeof ELIGIBILITY_EVENTS)[number]>;
type ReviewContext = Context<(typeof REVIEW_EVENTS)[number]>;

export interface HandlerOptions {
  tool: Tool;
  /** See DEFAULT_EVALUATION_TIMEOUT_MS. */
  evaluationTimeoutMs?: number;
  /** See DEFAULT_PENDING_AFTER_MS. */
  pendingAfterMs?: number;
  dynamic?: DynamicChecksFactory;
  /** Retries, rate-limit waits and time limits of API requests (see DEFAULT_REQUEST_POLICY). */
  requests?: Partial<RequestPolicy>;
  /** Branch protection and rulesets read recently, shared by every delivery of the app. */
  enforcement?: EnforcementCache;
  /** Verified git objects, shared by every delivery of the process (git-object-cache.ts). */
  gitObjects?: GitObjectCache;
  /** Evaluations in progress (checks/in-flight.ts; default: this process's own). */
  inFlight?: InFlight;
}

interface Delivery {
  octokit: GitHubClient;
  log: Context["log"];
  /** The repository the delivery is about, when it names one (most events; not installations). */
  repository?: { id: number; owner: string; name: string };
}

/** The delivery's repository, by id and name as the payload gave them. */
function deliveryRepository(context: Context): Delivery["repository"] {
  const r = (context.payload as { repository?: unknown }).repository as
    { id?: unknown; name?: unknown; owner?: { login?: unknown } } | undefined;
  if (typeof r?.id !== "number" || typeof r.name !== "string") return undefined;
  if (typeof r.owner?.login !== "string") return undefined;
  return { id: r.id, owner: r.owner.login, name: r.name };
}

export function createHandlers(options: HandlerOptions) {
  const { requests, ...reviewOptions } = options;
  const inFlight = options.inFlight ?? processInFlight;
  const clientFor = createClientFactory(requests);
  const delivery = (context: Context): Delivery => {
    const repository = deliveryRepository(context);
    return { octokit: clientFor(context), log: context.log, ...(repository ? { repository } : {}) };
  };

  async function review(
    { octokit, log, repository }: Delivery,
    targets: readonly PullRequestTarget[],
    checks: readonly CheckDefinition[],
    /** The head sha the webhook named (see reviewPullRequest). */
    knownHead?: string,
    /** A re-run the user asked for: fresh runs even when nothing changed. */
    rewrite = false,
  ): Promise<void> {
    const errors: unknown[] = [];
    for (const t of targets) {
      // An approval run written for an earlier target of this delivery may cover this one too.
      const todo = checks.filter((c) => !c.covers?.(t.number));
      if (todo.length === 0) continue;
      // The id keys the registry of evaluations in progress (in-flight.ts inFlightKeys); only
      // for a target in the delivery's own repository, by the name the payload gave.
      const same =
        repository !== undefined &&
        repository.owner.toLowerCase() === t.owner.toLowerCase() &&
        repository.name.toLowerCase() === t.repo.toLowerCase();
      try {
        await reviewPullRequest(
          {
            ...reviewOptions,
            octokit,
            log,
            checks: todo,
            ...(rewrite ? { rewrite } : {}),
            ...(same ? { repositoryId: repository.id } : {}),
          },
          t,
          knownHead,
        );
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "reviews failed");
  }

  /** Re-evaluates the given checks of these open pull requests of one repository. */
  async function reevaluate(
    d: Delivery,
    repo: RepoRef,
    numbers: readonly number[],
    checks: () => readonly CheckDefinition[],
  ): Promise<void> {
    if (numbers.length === 0) return;
    await review(
      d,
      numbers.map((number) => ({ ...repo, number })),
      checks(),
    );
  }

  /** Both checks on a merge queue group's head (merge-group.ts). */
  async function mergeGroup(d: Delivery, repo: RepoRef, group: MergeGroupPayload): Promise<void> {
    await reviewMergeGroup({ ...reviewOptions, octokit: d.octokit, log: d.log }, repo, group);
  }

  /** A re-run of our runs on a merge group head: the group is evaluated again. */
  async function rerunGroup(
    d: Delivery,
    repo: RepoRef,
    sha: string,
    externalIds: ReadonlyArray<string | null | undefined>,
  ): Promise<boolean> {
    const base = externalIds.map(parseGroupRunId).find((b) => b !== null)?.baseRef;
    if (base === undefined) return false;
    await mergeGroup(d, repo, {
      head_sha: sha,
      head_ref: "",
      base_sha: "",
      base_ref: `refs/heads/${base}`,
    });
    return true;
  }

  return {
    /**
     * `merge_group.checks_requested`: lint and approval on the group's head. `destroyed` is not
     * handled: nothing is written for a group that will not merge.
     */
    async mergeGroupChecksRequested(
      context: Context<"merge_group.checks_requested">,
    ): Promise<void> {
      const { merge_group: g, repository } = context.payload;
      if (!repository) {
        context.log.warn({ head: g.head_sha }, "merge_group event without a repository ignored");
        return;
      }
      await mergeGroup(delivery(context), repoOf(repository), {
        head_sha: g.head_sha,
        head_ref: g.head_ref,
        base_sha: g.base_sha,
        base_ref: g.base_ref,
      });
    },

    /**
     * Eligibility that may have shrunk: the approval of every open pull request of the affected
     * repositories whose approval passes is evaluated again.
     */
    async eligibilityChanged(context: EligibilityContext): Promise<void> {
      const p = context.payload as {
        organization?: { login: string };
        repository?: { name: string; owner: { login: string } };
      };
      const d = delivery(context);
      const repos = p.repository
        ? [repoOf(p.repository)]
        : p.organization
          ? await installationRepositories(d.octokit, p.organization.login)
          : [];
      const appId = await ownAppId(d.octokit);
      const errors: unknown[] = [];
      for (const repo of repos) {
        try {
          const { numbers, overlapped } = await pullRequestsToReevaluate(
            d.octokit,
            repo,
            appId,
            [APPROVAL_CHECK_NAME],
            inFlight,
          );
          context.log.info(
            { repo, pullRequests: numbers, event: `${context.name}.${context.payload.action}` },
            overlapped
              ? "eligibility may have changed while approvals were evaluated: re-evaluating every open pull request"
              : "eligibility may have changed: re-evaluating passing approvals",
          );
          await reevaluate(d, repo, numbers, () => [new ApprovalCheck()]);
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, "re-evaluations failed");
    },

    /** Pushes: see push.ts (a changed policy re-evaluates the pull requests it decides). */
    async push(context: Context<"push">): Promise<void> {
      const d = delivery(context);
      const facts = pushFacts(context.payload as PushPayload);
      await routePush({
        octokit: d.octokit,
        log: context.log,
        push: facts,
        appId: () => ownAppId(d.octokit),
        inFlight,
        reevaluate: (numbers) => reevaluate(d, facts.repo, numbers, () => defaultChecks()),
      });
    },

    async pullRequest(context: PullRequestContext): Promise<void> {
      const p = context.payload;
      // An edit matters only when it moves the PR to another base (other config, other tree).
      if (p.action === "edited" && !p.changes.base) return;
      // Approvals given until now were given against the old base. GitHub's issue events say so
      // too, but may not list this change yet.
      const retargeted =
        p.action === "edited" && p.changes.base
          ? { pr: p.pull_request.number, at: p.pull_request.updated_at }
          : undefined;
      await review(
        delivery(context),
        [{ ...repoOf(p.repository), number: p.pull_request.number }],
        defaultChecks(retargeted),
        p.pull_request.head.sha,
      );
    },

    async pullRequestReview(context: ReviewContext): Promise<void> {
      const p = context.payload;
      await review(
        delivery(context),
        [{ ...repoOf(p.repository), number: p.pull_request.number }],
        [new ApprovalCheck()],
        p.pull_request.head.sha,
      );
    },

    async checkRunRerequested(context: Context<"check_run.rerequested">): Promise<void> {
      const { check_run: run, repository } = context.payload;
      if (!run.name.startsWith(CHECK_NAME_PREFIX)) return;
      const d = delivery(context);
      if (await rerunGroup(d, repoOf(repository), run.head_sha, [run.external_id])) return;
      // Re-running one check runs that check only.
      const named = defaultChecks().filter((c) => c.name === run.name);
      const checks = named.length > 0 ? named : defaultChecks();
      const numbers = await findPullRequests(d, repository, run.head_sha, checks, () =>
        runPullRequests(d.octokit, repoOf(repository), repository.id, run),
      );
      if (numbers.length === 0)
        context.log.info({ sha: run.head_sha }, "no pull request to re-run");
      await review(
        d,
        numbers.map((number) => ({ ...repoOf(repository), number })),
        checks,
        run.head_sha,
        true,
      );
    },

    /**
     * "Approve migrations": the click is judged on the pull request's current state and the
     * result written as a new approval run (see ApprovalCheck); it is never trusted as it comes.
     */
    async checkRunRequestedAction(context: Context<"check_run.requested_action">): Promise<void> {
      const { check_run: run, requested_action: action, sender, repository } = context.payload;
      if (run.name !== APPROVAL_CHECK_NAME) {
        context.log.info({ check: run.name }, "requested action on another check run ignored");
        return;
      }
      const click = {
        identifier: action?.identifier ?? "",
        // The account id goes into the record: the login may name someone else later.
        sender: { login: sender.login, type: sender.type, id: sender.id },
        run: {
          id: run.id,
          name: run.name,
          appId: run.app?.id ?? null,
          headSha: run.head_sha,
          externalId: run.external_id ?? null,
        },
        at: recordTime(new Date()),
        // The click was made at or after this; its delivery may be handled much later.
        shownAt: typeof run.started_at === "string" ? run.started_at : null,
      };
      const d = delivery(context);
      const check = new ApprovalCheck(click);
      const numbers = await findPullRequests(d, repository, run.head_sha, [check], () =>
        runPullRequests(d.octokit, repoOf(repository), repository.id, run),
      );
      if (numbers.length === 0)
        context.log.info({ sha: run.head_sha }, "approval click for no open pull request");
      await review(
        d,
        numbers.map((number) => ({ ...repoOf(repository), number })),
        [check],
        run.head_sha,
      );
    },

    async checkSuiteRerequested(context: Context<"check_suite.rerequested">): Promise<void> {
      const { check_suite: suite, repository } = context.payload;
      const repo = repoOf(repository);
      const d = delivery(context);
      let own: SuiteRuns = { externalIds: [], pullNumbers: [] };
      try {
        own = await ownSuiteRuns(d.octokit, repo, suite.id);
      } catch (err) {
        // The suite's runs only name the pull requests; the payload and the commit do too.
        context.log.warn({ err, suite: suite.id }, "listing the check suite's runs failed");
      }
      if (await rerunGroup(d, repo, suite.head_sha, own.externalIds)) return;
      const numbers =
        own.pullNumbers.length > 0
          ? unique(own.pullNumbers)
          : await findPullRequests(d, repository, suite.head_sha, defaultChecks(), () =>
              commitPullRequests(
                d.octokit,
                repo,
                repository.id,
                suite.pull_requests,
                suite.head_sha,
              ),
            );
      if (numbers.length === 0)
        context.log.info({ sha: suite.head_sha }, "no pull request to re-run");
      await review(
        d,
        numbers.map((number) => ({ ...repo, number })),
        defaultChecks(),
        suite.head_sha,
        true,
      );
    },
  };
}

/**
 * The pull requests to re-run for a commit. When they cannot be found, the checks are written as
 * failures on the commit, with the reason, and there is nothing to review.
 */
async function findPullRequests(
  { octokit, log }: Delivery,
  repository: { owner: { login: string }; name: string },
  sha: string,
  checks: readonly CheckDefinition[],
  find: () => Promise<number[]>,
): Promise<number[]> {
  try {
    return await find();
  } catch (err) {
    log.error({ err, sha }, "finding the pull requests of the commit failed");
    const reason = new EvaluationError(
      `could not find the pull request of commit ${sha}: ${describeError(err)}`,
    );
    await reportFailure(octokit, repoOf(repository), sha, "", checks, reason, log);
    return [];
  }
}

function repoOf(repository: { owner: { login: string }; name: string }): RepoRef {
  return { owner: repository.owner.login, repo: repository.name };
}
