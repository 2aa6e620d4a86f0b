/**
 * The GitHub facts the approval decision needs, read for one approval check run and cached for
 * it: the pull requests of one head commit share commits, check runs, trees and approvers, so each
 * is requested once however many of those pull requests there are.
 *
 * A little over 500 lines: one cache per approval run, whose reads share it; split, the cache would
 * be passed between modules.
 */
import type { ApprovalPolicy, DirectoryConfig } from "../../config/types.js";
import {
  APPROVAL_CHECK_NAME,
  GIT_OID,
  GITHUB_LOGIN,
  migrationDigest,
  readButtonApproval,
  readShownRun,
  MAX_KEPT_RUNS,
  type ButtonApproval,
  type CheckRunFacts,
  type CommitFacts,
  type EligibilityFacts,
  type ReviewFacts,
  type ShownRun,
  type TeamMembership,
} from "../../core/approval/index.js";
import type { DirectoryShape, TreeEntry } from "../../core/types.js";
import { coAuthorsOf, type ListedCommit } from "./coauthors.js";
import { cached, mapLimit, type GitHubClient, type RepoRef } from "../client.js";
import { EvaluationError, httpStatus } from "../errors.js";
import type { TreeReader } from "../git.js";
import { gatherGitObjects } from "../git-gather.js";
import type { PullRequestInfo } from "../pull-request.js";
import { accountId, readPullFacts, type ListedReview, type PullFacts } from "./pull-facts.js";

/** GitHub's cap on pulls.listCommits: a pull request with more commits cannot be checked. */
export const MAX_LISTED_COMMITS = 250;
const PER_PAGE = 100;
const CONCURRENCY = 8;

/** A digest, or why there is none (the listing is incomplete, or the commit is gone). */
export type DigestResult = { digest: string; problem: null } | { digest: null; problem: string };

export interface PullRequestCommits {
  commits: CommitFacts[];
  /** Set when the list cannot be trusted to be complete. */
  problem: string | null;
}

/** What a pull request's issue events say about its approvals. */
export interface PullRequestHistory {
  /** When its base branch last changed (edited, changed by GitHub, or force-pushed); null: never. */
  baseChangedAt: string | null;
  /** Review id → the state it had before it was dismissed. */
  dismissedStates: ReadonlyMap<number, string>;
}

/** A review as the decision reads it (REST's listing, or the GraphQL read in that shape). */
type RawReview = ListedReview;

export interface ReaderOptions {
  /**
   * Read a pull request's reviews, timeline, commits and recorded clicks in one GraphQL query
   * (pull-facts.ts), falling back to the REST listings when its answer cannot be trusted whole.
   */
  pullFacts?: boolean;
  /** Told why a GraphQL answer was not used. */
  onFallback?: (reason: string) => void;
}

/** Issue events that change the base a pull request's diff is taken against. */
const BASE_EVENTS: readonly string[] = [
  "base_ref_changed",
  "automatic_base_change_succeeded",
  "base_ref_force_pushed",
];

/** This app's approval runs on one commit: the clicks they record, and what they showed. */
interface CommitRuns {
  clicks: ButtonApproval[];
  shown: ShownRun[];
  /** As many runs as GitHub keeps: older ones may have been dropped. */
  cut: boolean;
}

export class ApprovalReader {
  readonly #bases = new Map<string, Promise<string>>();
  // Per pull request: its decisions under its own base and the default branch's share them.
  readonly #histories = new Map<string, Promise<PullRequestHistory>>();
  readonly #reviews = new Map<string, Promise<RawReview[]>>();
  readonly #commitLists = new Map<string, Promise<PullRequestCommits>>();
  readonly #digests = new Map<string, Promise<DigestResult>>();
  readonly #records = new Map<string, Promise<CommitRuns>>();
  readonly #memberships = new Map<string, Promise<TeamMembership>>();
  readonly #roles = new Map<string, Promise<string | null>>();
  readonly #accounts = new Map<string, Promise<number | null>>();
  readonly #pullFacts = new Map<string, Promise<PullFacts | null>>();
  /** Clicks and shown runs per commit the GraphQL read listed completely. */
  readonly #listedRecords = new Map<string, CommitRuns>();

  constructor(
    private readonly octokit: GitHubClient,
    private readonly repo: RepoRef,
    private readonly trees: TreeReader,
    readonly ownAppId: number,
    private readonly options: ReaderOptions = {},
  ) {}

  /** The pull request's facts in one GraphQL query, or null (then every kind is read by REST). */
  #facts(pr: PullRequestInfo): Promise<PullFacts | null> {
    if (!this.options.pullFacts) return Promise.resolve(null);
    return cached(this.#pullFacts, `${pr.number}\0${pr.headSha}`, async () => {
      // The first query's page, only when its clicks were filtered by this reader's app id.
      const first = pr.approvalFacts?.appId === this.ownAppId ? pr.approvalFacts : undefined;
      const read = await readPullFacts(
        this.octokit,
        this.repo,
        pr,
        this.ownAppId,
        first && {
          answer: first.answer,
          onUnusable: (reason) =>
            this.options.onFallback?.(`the first query's page (read again): ${reason}`),
        },
      );
      if (read.facts === null) {
        this.options.onFallback?.(read.reason);
        return null;
      }
      for (const c of read.facts.commits)
        if (c.records !== null && c.shown !== null)
          this.#listedRecords.set(c.sha, { clicks: c.records, shown: c.shown, cut: false });
      return read.facts;
    });
  }

  /**
   * The migration digest of a commit under a configuration's directories. With `gone: "missing"`
   * a commit GitHub no longer has is a problem, not an error (reviews keep the sha of commits a
   * force-push dropped).
   */
  digest(
    sha: string,
    directories: readonly DirectoryConfig[],
    gone: "error" | "missing" = "error",
  ): Promise<DigestResult> {
    const key = JSON.stringify([sha, directories.map((d) => d.path), gone]);
    return cached(this.#digests, key, async () => {
      let root: string;
      try {
        root = await this.trees.commitTree(sha);
      } catch (err) {
        if (gone === "missing" && [404, 422].includes(httpStatus(err) ?? 0))
          return { digest: null, problem: `commit ${sha} is no longer available on GitHub` };
        throw err;
      }
      const listings = new Map<string, readonly TreeEntry[]>();
      const shapes = new Map<string, DirectoryShape>();
      for (const d of directories) {
        const listing = await this.trees.listDirectory(root, d.path, `commit ${sha}`);
        if (listing.truncated) return { digest: null, problem: listing.truncated };
        // A directory missing at that commit is an empty listing; one that is a symlink, a
        // submodule or a file is hashed by that entry.
        listings.set(d.path, listing.entries ?? []);
        shapes.set(d.path, listing.shape);
      }
      return { digest: migrationDigest(directories, listings, shapes), problem: null };
    });
  }

  /**
   * Every review, with the digest of its commit for approvals given on another commit than the
   * head (the decision reads no other review's content).
   */
  async reviews(
    pr: PullRequestInfo,
    directories: readonly DirectoryConfig[],
  ): Promise<ReviewFacts[]> {
    const raw = await cached(
      this.#reviews,
      `${pr.number}\0${pr.headSha}`,
      async (): Promise<RawReview[]> =>
        (await this.#facts(pr))?.reviews ??
        this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
          ...this.repo,
          pull_number: pr.number,
          per_page: PER_PAGE,
        }),
    );
    // An invalid commit id is reported by the decision; it is never sent to the API.
    const digested = (r: RawReview): r is RawReview & { commit_id: string } =>
      String(r.state).toUpperCase() === "APPROVED" &&
      typeof r.commit_id === "string" &&
      r.commit_id !== pr.headSha &&
      GIT_OID.test(r.commit_id);
    // The approved commits' trees in one request (what does not verify is read by REST), unless
    // the evaluation's gather read them already (approved-trees.ts).
    const dirs = directories.map((d) => d.path);
    const approved = [...new Set(raw.filter(digested).map((r) => r.commit_id))].filter(
      (sha) => !this.trees.knowsDirectories(sha, dirs),
    );
    if (approved.length > 0)
      await gatherGitObjects(this.octokit, this.repo, this.trees, {
        commits: approved.map((sha) => ({ sha, dirs })),
        blobs: [],
      });
    const out: ReviewFacts[] = [];
    for (const r of raw) {
      const commitId = r.commit_id ?? null;
      const state = String(r.state);
      let digest: string | null = null;
      if (digested(r)) digest = (await this.digest(r.commit_id, directories, "missing")).digest;
      const userId = accountId(r.user?.id);
      out.push({
        id: r.id,
        user: r.user?.login ?? null,
        ...(userId !== null ? { userId } : {}),
        state,
        commitId,
        submittedAt: r.submitted_at ?? null,
        digest,
      });
    }
    return out;
  }

  /**
   * The pull request's base changes and review dismissals, from its issue events (every page):
   * review objects lose their state when dismissed and say nothing about the base.
   */
  history(pr: PullRequestInfo): Promise<PullRequestHistory> {
    return cached(this.#histories, String(pr.number), () => this.#history(pr));
  }

  async #history(pr: PullRequestInfo): Promise<PullRequestHistory> {
    const events =
      (await this.#facts(pr))?.events ??
      (await this.octokit.paginate(this.octokit.rest.issues.listEvents, {
        ...this.repo,
        issue_number: pr.number,
        per_page: PER_PAGE,
      }));
    let latest: { time: number; at: string } | null = null;
    const dismissedStates = new Map<number, string>();
    for (const e of events as Array<Record<string, unknown>>) {
      const kind = String(e.event);
      if (BASE_EVENTS.includes(kind)) {
        const at = String(e.created_at);
        const time = Date.parse(at);
        // An unreadable time cannot be placed: every approval before now is void (fail closed).
        if (Number.isNaN(time))
          throw new EvaluationError(`GitHub reported a ${kind} event with the time "${at}"`);
        if (!latest || time > latest.time) latest = { time, at };
      } else if (kind === "review_dismissed") {
        const d = e.dismissed_review as { review_id?: unknown; state?: unknown } | undefined;
        if (typeof d?.review_id === "number" && typeof d.state === "string")
          dismissedStates.set(d.review_id, d.state);
      }
    }
    return { baseChangedAt: latest?.at ?? null, dismissedStates };
  }

  /** The current base branch of another pull request of this repository (cached). */
  pullRequestBase(number: number): Promise<string> {
    return cached(this.#bases, String(number), async () => {
      const { data } = await this.octokit.rest.pulls.get({ ...this.repo, pull_number: number });
      return data.base.ref;
    });
  }

  /** The pull request's commits with the accounts GitHub links their author and committer to. */
  commits(pr: PullRequestInfo): Promise<PullRequestCommits> {
    return cached(this.#commitLists, `${pr.number}\0${pr.headSha}`, () => this.#commits(pr));
  }

  async #commits(pr: PullRequestInfo): Promise<PullRequestCommits> {
    if (pr.commits > MAX_LISTED_COMMITS)
      return {
        commits: [],
        problem: `the pull request has ${pr.commits} commits and GitHub lists at most ${MAX_LISTED_COMMITS}, so their authors, committers and recorded approvals cannot all be checked; squash or split it`,
      };
    const listed = (await this.#facts(pr))?.commits;
    let raw: ReadonlyArray<{ sha: string }>;
    let commits: CommitFacts[];
    if (listed) {
      raw = listed;
      commits = await listedCommitFacts(this.octokit, listed);
    } else {
      const rest = await this.octokit.paginate(this.octokit.rest.pulls.listCommits, {
        ...this.repo,
        pull_number: pr.number,
        per_page: PER_PAGE,
      });
      raw = rest;
      commits = await commitFacts(this.octokit, rest);
    }
    const problem =
      raw.length !== pr.commits || raw.at(-1)?.sha !== pr.headSha
        ? `GitHub listed ${raw.length} commits ending at ${raw.at(-1)?.sha ?? "none"}, but the pull request has ${pr.commits} commits ending at ${pr.headSha}; it probably changed during the check, which runs again for the new commit`
        : null;
    return { commits, problem };
  }

  /**
   * "Approve migrations" clicks recorded on these commits: only in approval runs this app created
   * (`app_id` filter, and checked again run by run), every run of each commit (`filter: all`).
   */
  async buttonApprovals(shas: readonly string[]): Promise<ButtonApproval[]> {
    const perCommit = await mapLimit(shas, CONCURRENCY, (sha) => this.#runsOf(sha));
    return perCommit.flatMap((c) => c.clicks);
  }

  /**
   * What this app's approval runs on a commit showed (the digest each recorded, and when it was
   * created): a review on that commit is judged by them. Read with the clicks (one listing).
   */
  async shownRuns(sha: string): Promise<{ shown: ShownRun[]; cut: boolean }> {
    const { shown, cut } = await this.#runsOf(sha);
    return { shown, cut };
  }

  #runsOf(sha: string): Promise<CommitRuns> {
    return cached(this.#records, sha, () => this.#recordsOn(sha));
  }

  async #recordsOn(sha: string): Promise<CommitRuns> {
    const listed = this.#listedRecords.get(sha);
    if (listed) return listed;
    const runs = await this.octokit.paginate(this.octokit.rest.checks.listForRef, {
      ...this.repo,
      ref: sha,
      check_name: APPROVAL_CHECK_NAME,
      app_id: this.ownAppId,
      filter: "all",
      per_page: PER_PAGE,
    });
    const out: CommitRuns = { clicks: [], shown: [], cut: runs.length >= MAX_KEPT_RUNS };
    for (const run of runs) {
      const read = readButtonApproval(checkRunFacts(run), this.ownAppId);
      // Runs without a record, and anything malformed or foreign, are never trusted.
      if (read.ok && read.value) out.clicks.push(read.value);
      const shown = readShownRun(checkRunFacts(run), run.started_at ?? null, this.ownAppId);
      if (shown) out.shown.push(shown);
    }
    return out;
  }

  /**
   * What the policy needs to know about each candidate: team memberships (stopping at the first
   * active one), or the repository role when no teams and no users are configured.
   */
  async eligibility(
    policy: ApprovalPolicy,
    logins: readonly string[],
  ): Promise<EligibilityFacts[]> {
    const out: EligibilityFacts[] = [];
    for (const login of logins) {
      if (policy.teams.length > 0) {
        const teams: Record<string, TeamMembership> = {};
        for (const team of policy.teams) {
          teams[team] = await this.#membership(team, login);
          if (teams[team] === "active") break;
        }
        out.push({ login, teams });
      } else if (policy.users.length === 0) {
        out.push({ login, role: await this.#role(login) });
      }
    }
    return out;
  }

  /**
   * The account each login names now (loginKey → id; null: no account), in one GraphQL request
   * for all of them (aliases), cached: listed users and recorded clicks' logins
   * (identity.ts `loginsToResolve`). Throws when GitHub cannot say (fail closed).
   */
  async accounts(logins: readonly string[]): Promise<Record<string, number | null>> {
    const out: Record<string, number | null> = {};
    const wanted = [...new Set(logins.map((l) => l.toLowerCase()))];
    const ask = wanted.filter((l) => !this.#accounts.has(l));
    if (ask.length > 0) {
      const read = this.#readAccounts(ask);
      for (const l of ask)
        this.#accounts.set(
          l,
          read.then((m) => m.get(l)!),
        );
    }
    for (const l of wanted) out[l] = await this.#accounts.get(l)!;
    return out;
  }

  async #readAccounts(logins: readonly string[]): Promise<Map<string, number | null>> {
    // Logins are checked against GitHub's rule before they reach the query text.
    for (const l of logins)
      if (!GITHUB_LOGIN.test(l)) throw new EvaluationError(`"${l}" is not a GitHub login`);
    const query = `query MigrationWardenAccounts {\n${logins
      .map((l, i) => `  u${i}: user(login: "${l}") { login databaseId }`)
      .join("\n")}\n}`;
    type Body = {
      data?: Record<string, { login?: string; databaseId?: number } | null> | null;
      errors?: Array<{ type?: string; path?: unknown[]; message?: string }>;
    };
    let body: Body;
    try {
      // Not octokit.graphql: GitHub answers a login nobody holds with an error beside the data.
      body = (await this.octokit.request("POST /graphql", { query })).data as Body;
    } catch (err) {
      throw new EvaluationError(
        `reading which accounts hold ${logins.join(", ")} failed: ${(err as Error).message}`,
      );
    }
    const out = new Map<string, number | null>();
    logins.forEach((l, i) => {
      const alias = `u${i}`;
      const node = body?.data?.[alias];
      const errors = (body?.errors ?? []).filter((e) => e.path?.[0] === alias);
      if (node === null || node === undefined) {
        // GitHub answers a login no account holds with null and a NOT_FOUND error at its alias.
        if (node === null && errors.every((e) => e.type === "NOT_FOUND")) out.set(l, null);
        else
          throw new EvaluationError(
            `GitHub did not say which account holds ${l}${errors[0]?.message ? `: ${errors[0].message}` : ""}`,
          );
        return;
      }
      const id = accountId(node.databaseId);
      if (id === null || node.login?.toLowerCase() !== l)
        throw new EvaluationError(`GitHub's answer for the login ${l} names no account id`);
      out.set(l, id);
    });
    const other = (body?.errors ?? []).find(
      (e) =>
        !(typeof e.path?.[0] === "string" && /^u\d+$/.test(e.path[0]) && e.type === "NOT_FOUND"),
    );
    if (other) throw new EvaluationError(`reading accounts failed: ${other.message ?? "an error"}`);
    return out;
  }

  #membership(team: string, login: string): Promise<TeamMembership> {
    const key = `${team}\0${login}`.toLowerCase();
    return cached(this.#memberships, key, async () => {
      try {
        const { data } = await this.octokit.rest.teams.getMembershipForUserInOrg({
          org: this.repo.owner,
          team_slug: team,
          username: login,
        });
        const state: unknown = data.state;
        if (state === "active" || state === "pending") return state;
        throw new EvaluationError(
          `GitHub reported the unexpected membership state "${String(state)}" for ${login} in team ${team}`,
        );
      } catch (err) {
        // Not a member (or no such team, or the owner is not an organization).
        if (httpStatus(err) === 404) return "none";
        throw err;
      }
    });
  }

  #role(login: string): Promise<string | null> {
    return cached(this.#roles, login.toLowerCase(), async () => {
      try {
        const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({
          ...this.repo,
          username: login,
        });
        const role: unknown = data.role_name;
        if (typeof role !== "string" || role === "")
          throw new EvaluationError(`GitHub reported no repository role for ${login}`);
        return role;
      } catch (err) {
        if (httpStatus(err) === 404) return null;
        throw err;
      }
    });
  }
}

/**
 * Commits as the decision reads them: the accounts GitHub links their author and committer to,
 * and their co-authors' (Co-authored-by trailers).
 */
export async function commitFacts(
  octokit: GitHubClient,
  raw: ReadonlyArray<
    ListedCommit & {
      author?: { login?: string; id?: number } | null;
      committer?: { login?: string; id?: number } | null;
    }
  >,
): Promise<CommitFacts[]> {
  const coAuthors = await coAuthorsOf(octokit, raw);
  return raw.map((c) => {
    const facts: CommitFacts = {
      sha: c.sha,
      author: c.author?.login ?? null,
      committer: c.committer?.login ?? null,
      authorId: c.author?.login ? accountId(c.author.id) : null,
      committerId: c.committer?.login ? accountId(c.committer.id) : null,
    };
    const co = coAuthors.get(c.sha);
    if (co && co.length > 0) facts.coAuthors = co;
    return facts;
  });
}

/**
 * Commits the GraphQL read listed, as the decision reads them; the co-authors of a commit naming
 * more than that read could list are resolved as for REST (coauthors.ts).
 */
async function listedCommitFacts(
  octokit: GitHubClient,
  listed: PullFacts["commits"],
): Promise<CommitFacts[]> {
  const rest = await coAuthorsOf(
    octokit,
    listed
      .filter((c) => c.coAuthors === null)
      .map((c) => ({ sha: c.sha, node_id: c.nodeId, commit: { message: c.message } })),
  );
  return listed.map((c) => {
    const facts: CommitFacts = {
      sha: c.sha,
      author: c.author,
      committer: c.committer,
      authorId: c.authorId,
      committerId: c.committerId,
    };
    const co = c.coAuthors ?? rest.get(c.sha);
    if (co && co.length > 0) facts.coAuthors = co;
    return facts;
  });
}

/** A check run as GitHub lists it, in the shape the approval records are read from. */
export function checkRunFacts(run: {
  id: number;
  name: string;
  app?: { id: number } | null;
  head_sha: string;
  external_id?: string | null;
}): CheckRunFacts {
  return {
    id: run.id,
    name: run.name,
    appId: run.app?.id ?? null,
    headSha: run.head_sha,
    externalId: run.external_id ?? null,
  };
}
