/**
 * What the approval decision reads about one pull request, in one GraphQL query where REST needs
 * a listing per kind and per commit: its reviews, the timeline events that void approvals (base
 * changes, review dismissals), its commits with their linked author and committer accounts and
 * co-authors, and the "Approve migrations" records in this app's approval runs on those commits
 * (with the digest each run recorded and its start, which reviews on the commit are judged by).
 *
 * Every connection is read to its end (the same query, with `@include` switching the finished
 * ones off, pages on with each one's cursor) and checked against GitHub's own count. Nothing
 * uncertain is used: an answer with `errors` (even with partial `data`), a missing field, a count
 * that does not add up or a page that does not continue makes the whole read null, and the reader
 * falls back to its REST listings (reader.ts), exactly as before. A commit whose co-authors or
 * check runs do not fit in the query is marked so, and read on its own by REST. The first page of
 * each connection may already have come with the event's first query (first-read/): it passes the
 * same checks, or is dropped and read again here.
 *
 * A little over 500 lines: the query, its paging and its cross-checks stay together, so no check
 * can be separated from the read it guards.
 */
import type { ButtonApproval, CoAuthor, ShownRun } from "../../core/approval/index.js";
import {
  APPROVAL_CHECK_NAME,
  readButtonApproval,
  readShownRun,
} from "../../core/approval/index.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { namesCoAuthor, noreplyLogin } from "./coauthors.js";

const PAGE = 100;
/** Co-authors read in the query per commit (a commit naming more is read by coauthors.ts). */
const AUTHORS = 10;
/** Check suites of this app per commit (one per app and commit, unless re-requested). */
const SUITES = 10;

/**
 * The approval facts' selection on a pull request: one source for the facts query below and for
 * the first query of an event (first-read/approval-facts.ts), so the two cannot drift. Aliased:
 * the first query has a `commits` of its own. Each connection is switched on by its Boolean and
 * continues after its cursor; `$commitsFirst` is the commits' page size (the first query asks
 * fewer: GitHub charges the nested suites and runs per commit asked for).
 */
export const PULL_FACTS_FRAGMENT = `fragment MigrationWardenApprovalFacts on PullRequest {
  approvalReviews: reviews(first: ${PAGE}, after: $reviewsAfter) @include(if: $reviews) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { databaseId state submittedAt commit { oid } author { __typename login ... on User { databaseId } ... on Bot { databaseId } } }
  }
  approvalTimeline: timelineItems(first: ${PAGE}, after: $timelineAfter, itemTypes: [BASE_REF_CHANGED_EVENT, AUTOMATIC_BASE_CHANGE_SUCCEEDED_EVENT, BASE_REF_FORCE_PUSHED_EVENT, REVIEW_DISMISSED_EVENT]) @include(if: $timeline) {
    pageInfo { hasNextPage endCursor }
    nodes {
      __typename
      ... on BaseRefChangedEvent { createdAt }
      ... on AutomaticBaseChangeSucceededEvent { createdAt }
      ... on BaseRefForcePushedEvent { createdAt }
      ... on ReviewDismissedEvent { createdAt previousReviewState review { databaseId } }
    }
  }
  approvalCommits: commits(first: $commitsFirst, after: $commitsAfter) @include(if: $commits) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      commit {
        id
        oid
        message
        author { email user { login databaseId } }
        committer { email user { login databaseId } }
        authors(first: ${AUTHORS}) { totalCount nodes { name email user { login databaseId } } }
        checkSuites(first: ${SUITES}, filterBy: { appId: $appId }) {
          totalCount
          pageInfo { hasNextPage }
          nodes {
            app { databaseId }
            repository { databaseId }
            checkRuns(first: ${PAGE}, filterBy: { checkName: $check, checkType: ALL }) {
              totalCount
              pageInfo { hasNextPage }
              nodes { databaseId name externalId startedAt }
            }
          }
        }
      }
    }
  }
}`;

/** The variables PULL_FACTS_FRAGMENT uses, as a query declares them. */
export const PULL_FACTS_VARIABLES =
  "$appId: Int!, $check: String!, $reviews: Boolean!, $reviewsAfter: String, $timeline: Boolean!, $timelineAfter: String, $commits: Boolean!, $commitsAfter: String, $commitsFirst: Int!";

/** The response keys of the fragment's connections (GitHub's error paths name them). */
export const PULL_FACTS_FIELDS = [
  "approvalReviews",
  "approvalTimeline",
  "approvalCommits",
] as const;

/** The approval facts alone, page after page (the timeline lists what voids approvals). */
export const PULL_FACTS_QUERY = `query MigrationWardenPullFacts(${PULL_FACTS_VARIABLES}, $owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    databaseId
    pullRequest(number: $number) {
      number
      headRefOid
      ...MigrationWardenApprovalFacts
    }
  }
}
${PULL_FACTS_FRAGMENT}`;

/** A review as REST lists it (the fields the reader uses). */
export interface ListedReview {
  id: number;
  /** `id`: the reviewer's account id (REST always gives it). */
  user: { login: string; id?: number } | null;
  state: string;
  commit_id?: string | null;
  submitted_at?: string | null;
}

/** One commit of the pull request as the decision reads it. */
export interface PullCommit {
  sha: string;
  /** Its GraphQL node id (coauthors.ts reads the co-authors by it). */
  nodeId: string;
  message: string;
  author: string | null;
  committer: string | null;
  /** The linked accounts' ids (null: none, or a bot read from its noreply address). */
  authorId: number | null;
  committerId: number | null;
  /** The commit's co-authors; null when the query could not list them all (read by REST). */
  coAuthors: CoAuthor[] | null;
  /** The records in this app's approval runs on it; null when not all were listed (REST). */
  records: ButtonApproval[] | null;
  /** What those runs showed (their digests); null with `records`. */
  shown: ShownRun[] | null;
}

export interface PullFacts {
  headSha: string;
  reviews: ListedReview[];
  /** Base changes and dismissals, as REST issue events name them. */
  events: Array<{
    event: string;
    created_at: string;
    dismissed_review?: { review_id: number; state: string };
  }>;
  commits: PullCommit[];
}

interface Page<T> {
  totalCount?: number;
  pageInfo?: { hasNextPage?: boolean; endCursor?: string | null };
  nodes?: Array<T | null>;
}

type Actor = { __typename?: string; login?: string; databaseId?: number } | null;
type GitUser = { login?: string; databaseId?: number } | null;
type GitActor = { email?: string | null; user?: GitUser } | null;

interface RawCommit {
  id?: string;
  oid?: string;
  message?: string;
  author?: GitActor;
  committer?: GitActor;
  authors?: Page<{ name?: string | null; email?: string | null; user?: GitUser }>;
  checkSuites?: Page<{
    app?: { databaseId?: number } | null;
    repository?: { databaseId?: number } | null;
    checkRuns?: Page<{
      databaseId?: number;
      name?: string;
      externalId?: string | null;
      startedAt?: string | null;
    }>;
  }>;
}

interface RawReview {
  databaseId?: number;
  state?: string;
  submittedAt?: string | null;
  commit?: { oid?: string } | null;
  author?: Actor;
}

interface RawTimelineItem {
  __typename?: string;
  createdAt?: string;
  previousReviewState?: string;
  review?: { databaseId?: number } | null;
}

/** The part of an answer the facts are read from (the facts query's, or the first query's). */
export interface PullFactsAnswer {
  repository?: {
    databaseId?: number | null;
    pullRequest?: {
      number?: number;
      headRefOid?: string;
      approvalReviews?: Page<RawReview>;
      approvalTimeline?: Page<RawTimelineItem>;
      approvalCommits?: Page<{ commit?: RawCommit | null }>;
    } | null;
  } | null;
}

/** Why the answer cannot be used (the reader then reads by REST). */
class Unusable extends Error {}

function need(ok: unknown, what: string): asserts ok {
  if (!ok) throw new Unusable(what);
}

const EVENT_NAMES: Record<string, string> = {
  BaseRefChangedEvent: "base_ref_changed",
  AutomaticBaseChangeSucceededEvent: "automatic_base_change_succeeded",
  BaseRefForcePushedEvent: "base_ref_force_pushed",
};

/** Commits per page in the facts query (GitHub's most). */
const COMMITS_PAGE = PAGE;

/**
 * The pull request's approval facts, every page read and checked; null when GitHub's answer
 * cannot be trusted whole (the caller reads by REST instead), with the reason logged by the caller.
 * `firstPage`: an answer already received with the first page of each connection (the event's
 * first query): it is read with the same checks, and the query continues where it ends; one that
 * is unusable is dropped (`onUnusable` told why) and the facts are read from the start.
 */
export async function readPullFacts(
  octokit: GitHubClient,
  repo: RepoRef,
  pr: { number: number; headSha: string },
  appId: number,
  firstPage?: { answer: PullFactsAnswer; onUnusable: (reason: string) => void },
): Promise<{ facts: PullFacts } | { facts: null; reason: string }> {
  let reading = new PullFactsReading(pr, appId);
  if (firstPage) {
    try {
      reading.absorb(firstPage.answer);
    } catch (err) {
      firstPage.onUnusable(err instanceof Error ? err.message : String(err));
      reading = new PullFactsReading(pr, appId);
    }
  }
  try {
    while (!reading.done)
      reading.absorb(
        await octokit.graphql<PullFactsAnswer>(PULL_FACTS_QUERY, {
          owner: repo.owner,
          name: repo.repo,
          number: pr.number,
          ...reading.variables(COMMITS_PAGE),
        }),
      );
    return { facts: reading.facts() };
  } catch (err) {
    // GitHub's `errors` (with or without partial data), a failed request, or an unusable answer.
    return { facts: null, reason: err instanceof Error ? err.message : String(err) };
  }
}

type Connection = "reviews" | "timeline" | "commits";

/**
 * The facts read so far, page by page: each answer is checked as a whole before anything of it is
 * kept (absorb throws Unusable, and the reading is then abandoned by its caller).
 */
class PullFactsReading {
  readonly #reviews: ListedReview[] = [];
  readonly #events: PullFacts["events"] = [];
  readonly #commits: PullCommit[] = [];
  /** The next cursor per connection; `undefined`: that connection is read to its end. */
  readonly #cursors: Record<Connection, string | null | undefined> = {
    reviews: null,
    timeline: null,
    commits: null,
  };
  #totals: { reviews?: number; commits?: number } = {};

  constructor(
    private readonly pr: { number: number; headSha: string },
    private readonly appId: number,
  ) {}

  get done(): boolean {
    return Object.values(this.#cursors).every((c) => c === undefined);
  }

  /** The variables of the query that reads the next page of each unfinished connection. */
  variables(commitsFirst: number): Record<string, unknown> {
    return pullFactsVariables(this.appId, commitsFirst, this.#cursors);
  }

  absorb(answer: PullFactsAnswer): void {
    const p = answer?.repository?.pullRequest;
    need(p && p.number === this.pr.number, "no pull request in the answer");
    const repoId = answer.repository!.databaseId;
    need(Number.isSafeInteger(repoId), "no repository id in the answer");
    // Read while the pull request moved on: the facts would mix two heads.
    need(p.headRefOid === this.pr.headSha, `the head moved to ${String(p.headRefOid)}`);
    // Every page checked before any is kept: a throw leaves this reading as it was.
    const cursors = { ...this.#cursors };
    const reviews: ListedReview[] = [];
    const events: PullFacts["events"] = [];
    const commits: PullCommit[] = [];
    const totals = { ...this.#totals };
    if (cursors.reviews !== undefined) {
      cursors.reviews = next(p.approvalReviews, "reviews", cursors.reviews);
      totals.reviews = p.approvalReviews!.totalCount;
      for (const r of p.approvalReviews!.nodes!) reviews.push(review(r));
    }
    if (cursors.timeline !== undefined) {
      cursors.timeline = next(p.approvalTimeline, "timeline items", cursors.timeline);
      for (const e of p.approvalTimeline!.nodes!) {
        const event = timelineEvent(e);
        if (event) events.push(event);
      }
    }
    if (cursors.commits !== undefined) {
      cursors.commits = next(p.approvalCommits, "commits", cursors.commits);
      totals.commits = p.approvalCommits!.totalCount;
      for (const c of p.approvalCommits!.nodes!)
        commits.push(commit(c?.commit, this.appId, repoId!));
    }
    // A connection read to its end must add up to GitHub's count of it.
    const count = (n: number, total: number | undefined, what: string) =>
      need(n === total, `${n} ${what} of ${total}`);
    if (cursors.reviews === undefined)
      count(this.#reviews.length + reviews.length, totals.reviews, "reviews");
    if (cursors.commits === undefined)
      count(this.#commits.length + commits.length, totals.commits, "commits");
    Object.assign(this.#cursors, cursors);
    this.#totals = totals;
    this.#reviews.push(...reviews);
    this.#events.push(...events);
    this.#commits.push(...commits);
  }

  /** The facts, once every connection is read to its end (and added up: see absorb). */
  facts(): PullFacts {
    need(this.done, "the facts are not read to their end");
    return {
      headSha: this.pr.headSha,
      reviews: this.#reviews,
      events: this.#events,
      commits: this.#commits,
    };
  }
}

/**
 * The fragment's variables: the connections with a cursor (null: from the start) are read, those
 * without (`undefined`) are not.
 */
export function pullFactsVariables(
  appId: number,
  commitsFirst: number,
  cursors: Record<Connection, string | null | undefined>,
): Record<string, unknown> {
  return {
    appId,
    check: APPROVAL_CHECK_NAME,
    reviews: cursors.reviews !== undefined,
    reviewsAfter: cursors.reviews ?? null,
    timeline: cursors.timeline !== undefined,
    timelineAfter: cursors.timeline ?? null,
    commits: cursors.commits !== undefined,
    commitsAfter: cursors.commits ?? null,
    commitsFirst,
  };
}

/** The connection's next cursor, or undefined when it is read to its end. */
function next(
  page: Page<unknown> | undefined,
  what: string,
  /** The cursor this page was read after (null: the first page). */
  after: string | null | undefined,
): string | undefined {
  need(page && Array.isArray(page.nodes) && page.pageInfo, `no ${what} in the answer`);
  if (page.pageInfo.hasNextPage !== true) {
    need(page.pageInfo.hasNextPage === false, `${what}: no page information`);
    return undefined;
  }
  need(typeof page.pageInfo.endCursor === "string", `${what}: a next page without a cursor`);
  // A cursor that does not move would read the same page for ever.
  need(page.pageInfo.endCursor !== after, `${what}: the same cursor again`);
  need(page.nodes.length > 0, `${what}: an empty page before the end`);
  return page.pageInfo.endCursor;
}

const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function review(r: RawReview | null): ListedReview {
  need(r && Number.isSafeInteger(r.databaseId) && typeof r.state === "string", "a review");
  return {
    id: r.databaseId!,
    user: login(r.author),
    state: r.state,
    // A review whose commit GitHub lost has none (a force-push): never a digest, never a pass.
    commit_id: typeof r.commit?.oid === "string" ? r.commit.oid : null,
    submitted_at: r.submittedAt ?? null,
  };
}

/** REST's login for an actor: bots carry "[bot]"; other kinds of account approve nothing. */
function login(a: Actor | undefined): { login: string; id?: number } | null {
  if (!a || typeof a.login !== "string" || a.login === "") return null;
  const id = accountId(a.databaseId);
  if (a.__typename === "User") return { login: a.login, ...(id !== null ? { id } : {}) };
  if (a.__typename === "Bot") return { login: `${a.login}[bot]`, ...(id !== null ? { id } : {}) };
  return null;
}

/** An account id GitHub gave, or null (people are compared by it: never guessed). */
export function accountId(id: unknown): number | null {
  return typeof id === "number" && Number.isSafeInteger(id) && id >= 1 ? id : null;
}

function timelineEvent(e: RawTimelineItem | null): PullFacts["events"][number] | null {
  need(e && typeof e.__typename === "string", "a timeline item");
  // The event's time decides which approvals it voids: one without is unusable.
  need(typeof e.createdAt === "string", `a ${e.__typename} without its time`);
  const base = EVENT_NAMES[e.__typename];
  if (base) return { event: base, created_at: e.createdAt };
  need(e.__typename === "ReviewDismissedEvent", `an unexpected timeline item ${e.__typename}`);
  // A dismissal of a review GitHub no longer shows voids nothing that could count.
  if (!Number.isSafeInteger(e.review?.databaseId) || typeof e.previousReviewState !== "string")
    return { event: "review_dismissed", created_at: e.createdAt };
  return {
    event: "review_dismissed",
    created_at: e.createdAt,
    dismissed_review: {
      review_id: e.review!.databaseId!,
      state: e.previousReviewState.toLowerCase(),
    },
  };
}

function commit(c: RawCommit | null | undefined, appId: number, repoId: number): PullCommit {
  need(c && typeof c.oid === "string" && OID.test(c.oid), "a commit");
  need(typeof c.message === "string", `commit ${c.oid} without its message`);
  need(typeof c.id === "string" && c.id !== "", `commit ${c.oid} without its node id`);
  need(c.author && c.committer, `commit ${c.oid} without its author or committer`);
  return {
    sha: c.oid,
    nodeId: c.id,
    message: c.message,
    author: gitLogin(c.author),
    committer: gitLogin(c.committer),
    authorId: gitAccount(c.author),
    committerId: gitAccount(c.committer),
    coAuthors: namesCoAuthor(c.message) ? coAuthors(c) : [],
    ...records(c, appId, repoId),
  };
}

/** The id of the account GitHub links to a git identity (none for a bot's noreply address). */
function gitAccount(a: GitActor): number | null {
  const user = a?.user;
  return typeof user?.login === "string" && user.login !== "" ? accountId(user.databaseId) : null;
}

/** The account GitHub links to a git identity (bots by their noreply address, as REST does). */
function gitLogin(a: GitActor): string | null {
  const user = a?.user?.login;
  if (typeof user === "string" && user !== "") return user;
  return noreplyLogin(a?.email ?? "");
}

function coAuthors(c: RawCommit): CoAuthor[] | null {
  const a = c.authors;
  if (!a || !Array.isArray(a.nodes) || a.totalCount !== a.nodes.length) return null;
  // GitHub lists the git author first, then the trailers (as coauthors.ts reads them).
  return a.nodes.slice(1).map((n) => ({
    login: n?.user?.login ?? noreplyLogin(n?.email ?? ""),
    id: n?.user?.login ? accountId(n.user.databaseId) : null,
    name: n?.name ?? "",
    email: n?.email ?? "",
  }));
}

/**
 * The records in this app's approval runs on the commit; null (read by REST) when a suite or a
 * run list did not fit, or a suite is not this repository's (a commit a fork shares may carry
 * the fork's suites; REST lists this repository's only). Runs are checked one by one (app, name,
 * external_id) by the core.
 */
function records(
  c: RawCommit,
  appId: number,
  repoId: number,
): Pick<PullCommit, "records" | "shown"> {
  const unlisted = { records: null, shown: null };
  const suites = c.checkSuites;
  if (!suites || !Array.isArray(suites.nodes) || suites.pageInfo?.hasNextPage !== false)
    return unlisted;
  if (suites.totalCount !== suites.nodes.length) return unlisted;
  const out: ButtonApproval[] = [];
  const shown: ShownRun[] = [];
  for (const s of suites.nodes) {
    if (s?.repository?.databaseId !== repoId) return unlisted;
    const runs = s?.checkRuns;
    if (!runs || !Array.isArray(runs.nodes) || runs.pageInfo?.hasNextPage !== false)
      return unlisted;
    if (runs.totalCount !== runs.nodes.length) return unlisted;
    const suiteApp = s.app?.databaseId ?? null;
    for (const r of runs.nodes) {
      if (!r || !Number.isSafeInteger(r.databaseId) || typeof r.name !== "string") return unlisted;
      const run = {
        id: r.databaseId!,
        name: r.name,
        appId: typeof suiteApp === "number" ? suiteApp : null,
        headSha: c.oid!,
        externalId: r.externalId ?? null,
      };
      const read = readButtonApproval(run, appId);
      // Runs without a record, and anything malformed or foreign, are never trusted.
      if (read.ok && read.value) out.push(read.value);
      const seen = readShownRun(run, typeof r.startedAt === "string" ? r.startedAt : null, appId);
      if (seen) shown.push(seen);
    }
  }
  return { records: out, shown };
}
