/**
 * Branch protection and rulesets of base branches, remembered for a few minutes per process
 * (per worker process in queue mode), so that a warm or repeated event does not read
 * `GET /branches/{base}` and `GET /rules/branches/{base}` again.
 *
 * Only what the approval run TELLS comes from here (whether the gate is enforced, enforcement.ts):
 * its conclusion never depends on it. The base branch's tip, which is decisive (config, merged
 * migrations), is always read fresh on every event: from the first query (pull-request-query.ts)
 * when its tip is usable and the protection is remembered, else by the branch read as before,
 * which then refreshes what is remembered. A change of branch protection or rulesets shows within
 * the time to live: the app receives no event for them (branch_protection_rule and
 * repository_ruleset need the administration permission it does not ask for).
 */
import type { RequirementSource } from "../core/approval/index.js";
import { ownAppId, type GitHubClient } from "./client.js";
import { gatePinnedBy } from "./first-read/base-rules.js";
import { resolveBranch, type BaseRevision } from "./git.js";
import type { PullRequestInfo } from "./pull-request.js";

/** How long a reading is used (5 minutes); ENFORCEMENT_CACHE_SECONDS sets it, 0 turns it off. */
export const DEFAULT_ENFORCEMENT_TTL_MS = 5 * 60 * 1000;
/** Branches remembered at most (the oldest readings are dropped first). */
const MAX_ENTRIES = 10_000;

export type EnforcementSourceKind = "protection" | "rulesets";

export interface EnforcementCacheOptions {
  /** Time to live of a reading in milliseconds (0: nothing is remembered). */
  ttlMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export class EnforcementCache {
  readonly ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { source: RequirementSource; at: number }>();

  constructor(options: EnforcementCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_ENFORCEMENT_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** What was read for this repository's branch less than the time to live ago. */
  get(kind: EnforcementSourceKind, repoId: number, branch: string): RequirementSource | undefined {
    const key = keyOf(kind, repoId, branch);
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const age = this.#now() - entry.at;
    // A clock that went back counts as expired too.
    if (age >= 0 && age < this.ttlMs) return entry.source;
    this.#entries.delete(key);
    return undefined;
  }

  /**
   * Remembers a reading. An unreadable one is not: a failure may be passing, and it is read again
   * on the next event.
   */
  set(
    kind: EnforcementSourceKind,
    repoId: number,
    branch: string,
    source: RequirementSource,
  ): void {
    if (this.ttlMs <= 0 || !source.readable) return;
    const key = keyOf(kind, repoId, branch);
    this.#entries.delete(key);
    this.#entries.set(key, { source, at: this.#now() });
    while (this.#entries.size > MAX_ENTRIES)
      this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** The remembered reading, or `read()` (remembered when readable). */
  async read(
    kind: EnforcementSourceKind,
    repoId: number,
    branch: string,
    read: () => Promise<RequirementSource>,
  ): Promise<RequirementSource> {
    const known = this.get(kind, repoId, branch);
    if (known) return known;
    const source = await read();
    this.set(kind, repoId, branch, source);
    return source;
  }
}

function keyOf(kind: EnforcementSourceKind, repoId: number, branch: string): string {
  return `${kind}\0${repoId}\0${branch}`;
}

/**
 * The pull request's base branch tip, read fresh for this event: the first query's tip when it
 * was usable and branch protection cannot change what the approval run tells (no request): the
 * branch's protection is remembered, or the first query's ruleset rules already pin both gate
 * checks to this app (first-read/base-rules.ts; the revision then carries no protection, which
 * the run does not need). Else the branch read (resolveBranch), whose protection is then
 * remembered. Classic protection itself stays a REST read: GraphQL's `Ref.branchProtectionRule`
 * needs the administration permission the app does not ask for, and what it shows without it
 * (null) reads like "no protection"; `Ref.refUpdateRule`, the view for non-admins, lists the
 * required checks by name only, without the app each is pinned to.
 */
export async function baseBranch(
  octokit: GitHubClient,
  pr: PullRequestInfo,
  cache: EnforcementCache | undefined,
): Promise<BaseRevision> {
  const tip = pr.baseTip;
  if (tip && tip.ref === pr.baseRef) {
    const protection = cache?.get("protection", pr.baseRepoId, pr.baseRef);
    if (protection) return { ref: tip.ref, sha: tip.sha, treeSha: tip.treeSha, protection };
    if (pr.baseRules?.branch === pr.baseRef && gatePinnedBy(pr.baseRules, await appIdOf(octokit)))
      return { ref: tip.ref, sha: tip.sha, treeSha: tip.treeSha };
  }
  const base = await resolveBranch(octokit, { owner: pr.owner, repo: pr.repo }, pr.baseRef);
  if (base.protection) cache?.set("protection", pr.baseRepoId, pr.baseRef, base.protection);
  return base;
}

/** This app's id, or 0 (no app: token-only setups) which no requirement is pinned to. */
async function appIdOf(octokit: GitHubClient): Promise<number> {
  try {
    return await ownAppId(octokit);
  } catch {
    return 0;
  }
}

/**
 * `ENFORCEMENT_CACHE_SECONDS`: see DEFAULT_ENFORCEMENT_TTL_MS (unset: the default). A value that is
 * not a whole number of seconds stops the process, naming the variable.
 */
export function enforcementCacheFromEnv(env: NodeJS.ProcessEnv): { enforcementCacheMs?: number } {
  const raw = env.ENFORCEMENT_CACHE_SECONDS;
  if (raw === undefined || raw === "") return {};
  if (!/^\d{1,6}$/.test(raw))
    throw new Error(
      `ENFORCEMENT_CACHE_SECONDS must be a whole number of seconds (0: read branch protection and rulesets on every event), not "${raw}"`,
    );
  return { enforcementCacheMs: Number(raw) * 1000 };
}
