/**
 * `push`: what a push to a branch sets off. The router runs every reaction; each decides for
 * itself whether the push concerns it, and one failing does not stop the others (their errors are
 * thrown together at the end, so the delivery is logged as failed).
 *
 * Reactions: a changed `.github/migration-warden.yml` re-evaluates the open pull requests it
 * decides (policyChanged); a push to an audited branch that touches migrations or the policy gets
 * the `migration-warden/audit` check (auditPush, src/github/audit/). Add a reaction to PUSH_REACTIONS to do more on pushes.
 */
import type { Logger } from "probot";
import { CONFIG_PATH } from "../config/types.js";
import { APPROVAL_CHECK_NAME } from "../core/approval/index.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { LINT_CHECK_NAME } from "./checks/lint.js";
import { TreeReader } from "./git.js";
import { pullRequestsToReevaluate } from "./reevaluate.js";
import type { InFlight } from "./checks/in-flight.js";
import { configBlob } from "./audit/config-at.js";
import { auditPush } from "./audit/push-audit.js";

const ZERO = /^0+$/;

/** A push as the reactions see it. */
export interface PushFacts {
  repo: RepoRef;
  /** The branch pushed to (no `refs/heads/`); null for tags and other refs. */
  branch: string | null;
  /** The tip before the push; null when the push created the branch. */
  before: string | null;
  /** The tip after the push; null when the push deleted the branch. */
  after: string | null;
  forced: boolean;
  defaultBranch: string;
  /** `pusher.name` (a git identity GitHub reports) and `sender.login` (the account). */
  pusher: string | null;
  sender: string | null;
  /** When GitHub received the push (ISO 8601); null when the payload does not say. */
  pushedAt: string | null;
}

export interface PushContext {
  octokit: GitHubClient;
  log: Logger;
  push: PushFacts;
  /** This app's id (its own check runs are the ones that can be stale). */
  appId: () => Promise<number>;
  /**
   * Evaluations in progress (checks/in-flight.ts): one that read the old policy may still write a
   * pass, so a changed policy re-evaluates every open pull request it decides while one runs.
   */
  inFlight: InFlight;
  /** Evaluates these pull requests of the pushed repository again, lint and approval. */
  reevaluate: (numbers: readonly number[]) => Promise<void>;
  /** Git objects read for this push, shared by the reactions (routePush provides one). */
  trees?: TreeReader;
}

export type PushReaction = (ctx: PushContext) => Promise<void>;

/** The push event's payload, the fields the router reads. */
export interface PushPayload {
  ref: string;
  before: string;
  after: string;
  forced?: boolean;
  deleted?: boolean;
  created?: boolean;
  repository: {
    name: string;
    owner: { login?: string; name?: string | null } | null;
    default_branch?: string;
    /** Seconds since the epoch in push payloads (a date string elsewhere). */
    pushed_at?: number | string | null;
  };
  pusher?: { name?: string | null } | null;
  sender?: { login?: string } | null;
  head_commit?: { timestamp?: string } | null;
}

export function pushFacts(p: PushPayload): PushFacts {
  const owner = p.repository.owner?.login ?? p.repository.owner?.name ?? "";
  return {
    repo: { owner, repo: p.repository.name },
    branch: p.ref.startsWith("refs/heads/") ? p.ref.slice("refs/heads/".length) : null,
    before: p.created || ZERO.test(p.before) ? null : p.before,
    after: p.deleted || ZERO.test(p.after) ? null : p.after,
    forced: p.forced === true,
    defaultBranch: p.repository.default_branch ?? "",
    pusher: p.pusher?.name ?? null,
    sender: p.sender?.login ?? null,
    pushedAt: pushTime(p),
  };
}

function pushTime(p: PushPayload): string | null {
  const at = p.repository.pushed_at;
  const date =
    typeof at === "number"
      ? new Date(at * 1000)
      : typeof at === "string"
        ? new Date(at)
        : p.head_commit?.timestamp !== undefined
          ? new Date(p.head_commit.timestamp)
          : null;
  return date === null || Number.isNaN(date.getTime())
    ? null
    : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A changed policy on a branch decides its open pull requests from now on: those whose checks
 * pass are evaluated again, so no success written under the old policy remains. The default
 * branch's policy also decides pull requests into other branches whose head carries migration
 * content it lacks (guard.ts), so a change there re-evaluates every open pull request.
 */
export const policyChanged: PushReaction = async (ctx) => {
  const { push, octokit } = ctx;
  if (push.branch === null || push.after === null) return;
  const trees = ctx.trees ?? new TreeReader(octokit, push.repo);
  const after = await configBlob(trees, push.after);
  // A `before` GitHub no longer has (a force push) cannot show the file is unchanged.
  const before =
    push.before === null ? null : await configBlob(trees, push.before).catch(() => null);
  if (before !== null && before === after) return;
  const { numbers, overlapped } = await pullRequestsToReevaluate(
    octokit,
    push.repo,
    await ctx.appId(),
    [LINT_CHECK_NAME, APPROVAL_CHECK_NAME],
    ctx.inFlight,
    push.branch === push.defaultBranch ? undefined : push.branch,
  );
  ctx.log.info(
    { branch: push.branch, pullRequests: numbers, overlapped },
    `${CONFIG_PATH} changed: re-evaluating the open pull requests it decides`,
  );
  await ctx.reevaluate(numbers);
};

export const PUSH_REACTIONS: readonly PushReaction[] = [policyChanged, auditPush];

/** Runs every reaction to the push. */
export async function routePush(
  ctx: PushContext,
  reactions: readonly PushReaction[] = PUSH_REACTIONS,
): Promise<void> {
  const errors: unknown[] = [];
  const shared = { ...ctx, trees: ctx.trees ?? new TreeReader(ctx.octokit, ctx.push.repo) };
  for (const react of reactions) {
    try {
      await react(shared);
    } catch (err) {
      ctx.log.error({ err }, "a reaction to the push failed");
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, "reactions to the push failed");
}
