/**
 * A job is one webhook delivery, as GitHub sent it and after its signature was verified: the
 * worker hands it to the same Probot app function the server would have run (`probot.receive`).
 * Everything here is derived from the payload; nothing a payload says can reach another
 * installation's or repository's jobs, because every group key starts with both ids.
 */
import { pullNumbersOf } from "../github/checks/external-id.js";

export interface WebhookJob {
  /** X-GitHub-Delivery. */
  id: string;
  /** X-GitHub-Event (`pull_request`, not `pull_request.opened`). */
  name: string;
  payload: unknown;
}

/** How a job is ordered and coalesced with the others of its group. */
export interface JobKey {
  /**
   * Jobs of one group run one at a time, oldest first: a pull request, a merge group, a pushed
   * branch, or the delivery alone. Always prefixed with the installation and repository ids.
   */
  group: string;
  /**
   * What the job evaluates, from GitHub's current state alone (never from the payload): a
   * queued job whose `covers` includes another queued job's of the same group does that one's
   * work too, so the other is dropped. null: the job uses something of its payload (a click, a
   * retarget's old base, a push's commits) and is never dropped, nor drops another.
   */
  covers: readonly string[] | null;
}

/** Both checks of a pull request, re-read from GitHub by the handler. */
const LINT_AND_APPROVAL = ["lint", "approval"] as const;

/**
 * Events whose handler re-reads everything it decides on from GitHub, with what it evaluates.
 * Anything not listed is never coalesced. (An `edited` event that retargets the pull request
 * carries the old base, which its handler uses; `synchronize` does not, so it may not replace it.)
 */
const COVERS: Record<string, readonly string[]> = {
  "pull_request.opened": LINT_AND_APPROVAL,
  "pull_request.reopened": LINT_AND_APPROVAL,
  "pull_request.synchronize": LINT_AND_APPROVAL,
  "pull_request.ready_for_review": LINT_AND_APPROVAL,
  // Reviews are read from GitHub, not from the payload: the review itself is in the re-read list.
  "pull_request_review.submitted": ["approval"],
  "pull_request_review.edited": ["approval"],
  "pull_request_review.dismissed": ["approval"],
  "merge_group.checks_requested": ["merge_group"],
};

interface Payloadish {
  action?: unknown;
  installation?: { id?: unknown };
  repository?: { id?: unknown };
  pull_request?: { number?: unknown };
  check_run?: {
    head_sha?: unknown;
    external_id?: unknown;
    pull_requests?: unknown;
  };
  check_suite?: { head_sha?: unknown; pull_requests?: unknown };
  merge_group?: { head_sha?: unknown };
  ref?: unknown;
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function id(v: unknown): number | null {
  return typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : null;
}

/** A component of a group key: no separator can be smuggled in. */
function part(v: string): string {
  return encodeURIComponent(v);
}

/** The job's group and what it covers. Pure: same payload, same key. */
export function jobKey(job: WebhookJob): JobKey {
  const p = (
    typeof job.payload === "object" && job.payload !== null ? job.payload : {}
  ) as Payloadish;
  const action = typeof p.action === "string" ? p.action : "";
  const event = action ? `${job.name}.${action}` : job.name;
  const alone: JobKey = { group: `delivery/${part(job.id)}`, covers: null };
  const installation = id(p.installation?.id);
  const repository = id(p.repository?.id);
  if (installation === null || repository === null) return alone;
  const scope = `i${installation}/r${repository}`;
  const covers = COVERS[event] ?? null;

  const pr = (n: unknown): JobKey | null =>
    id(n) === null ? null : { group: `${scope}/pr/${n as number}`, covers };
  const sha = (s: unknown): JobKey | null =>
    typeof s === "string" && SHA.test(s) ? { group: `${scope}/sha/${s}`, covers } : null;

  switch (job.name) {
    case "pull_request":
    case "pull_request_review":
      return pr(p.pull_request?.number) ?? alone;
    case "check_run": {
      // Our runs name their pull request in external_id (only this app can write it); the
      // payload's list is empty for forks. Grouping only orders the jobs: the handler still
      // decides which pull requests the run is for.
      const own = pullNumbersOf(
        typeof p.check_run?.external_id === "string" ? p.check_run.external_id : null,
      );
      const listed = pullNumbersIn(p.check_run?.pull_requests, repository);
      const numbers = own ?? listed;
      return (numbers.length === 1 ? pr(numbers[0]) : null) ?? sha(p.check_run?.head_sha) ?? alone;
    }
    case "check_suite": {
      const listed = pullNumbersIn(p.check_suite?.pull_requests, repository);
      return (listed.length === 1 ? pr(listed[0]) : null) ?? sha(p.check_suite?.head_sha) ?? alone;
    }
    case "merge_group": {
      const head = p.merge_group?.head_sha;
      return typeof head === "string" && SHA.test(head)
        ? { group: `${scope}/merge_group/${head}`, covers }
        : alone;
    }
    case "push":
      // A push's handler reads the pushed range from the payload: never coalesced, only ordered.
      return typeof p.ref === "string" ? { group: `${scope}/ref/${part(p.ref)}`, covers } : alone;
    default:
      return alone;
  }
}

/** Numbers of the listed pull requests whose base is this repository (forks list others too). */
function pullNumbersIn(list: unknown, repository: number): number[] {
  if (!Array.isArray(list)) return [];
  const out = new Set<number>();
  for (const item of list as Array<{ number?: unknown; base?: { repo?: { id?: unknown } } }>) {
    const n = id(item?.number);
    if (n !== null && id(item?.base?.repo?.id) === repository) out.add(n);
  }
  return [...out];
}

/** A queued job, as both queue implementations order it. */
export interface Queued {
  key: JobKey;
  /** Arrival order (a counter of the queue). */
  seq: number;
}

/**
 * Whether queued `job` may be dropped because `other`, also queued and not started, does its
 * work: same group, `other` covers at least as much, and on a tie the newer one stays. The
 * relation is antisymmetric, so two jobs never drop each other; it is transitive, so a chain of
 * drops ends at a job that covers them all.
 */
export function supersedes(other: Queued, job: Queued): boolean {
  if (other.key.group !== job.key.group || other.seq === job.seq) return false;
  const a = other.key.covers;
  const b = job.key.covers;
  if (a === null || b === null) return false;
  if (!b.every((c) => a.includes(c))) return false;
  const equal = a.every((c) => b.includes(c));
  return !equal || other.seq > job.seq;
}
