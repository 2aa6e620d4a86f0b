/**
 * The approval facts' first page, read by the event's first query (pull-request-query.ts) where
 * the approval reader would otherwise send a query of its own: reviews, the timeline events that
 * void approvals, commits with their people and this app's recorded clicks
 * (approval/pull-facts.ts, whose fragment both queries spread: one selection, never two).
 *
 * This part only carries the answer over, unjudged: the approval reader checks it with the very
 * checks of its own query's pages (PullFactsReading) and continues from where it ends; a page it
 * cannot use is dropped and the facts are read from the start, then by REST, as before. GitHub's
 * errors that lie inside this part drop this part only, never the rest of the first read
 * (first-read/parts.ts).
 *
 * Cost: GitHub charges a query by the requests its connections could need, nested ones per parent
 * item, summed, divided by 100 and rounded (at least 1 point). This part asks 8 commits: reviews 1
 * + timeline 1 + commits 1 + co-authors 8 + suites 8 + runs 8 × 10 = 99, under 100, so it adds at
 * most 1 point to the first query whatever the other parts cost (alone with the pull request's own
 * read, the query stays at 1). Every pull request pays it, migrations or not: the first query is
 * sent before the configuration says which directories matter, so it cannot be asked for only
 * those. The facts query asks 100 commits (12 points); a pull request with more than 8 commits
 * sends it for the commits after the first 8 only, as the one query it replaces.
 */
import { ownAppId, type GitHubClient } from "../client.js";
import {
  PULL_FACTS_FIELDS,
  PULL_FACTS_FRAGMENT,
  PULL_FACTS_VARIABLES,
  pullFactsVariables,
  type PullFactsAnswer,
} from "../approval/pull-facts.js";
import { answerWithoutFailedParts, type FirstReadPart } from "./parts.js";

/** Commits asked in the first query (see the cost above: 3 + 12 per commit, under 100). */
export const FIRST_PAGE_COMMITS = 8;

/** What the first query declares, spreads inside `pullRequest { … }`, and appends. */
export const APPROVAL_FACTS_VARIABLES = PULL_FACTS_VARIABLES;
export const APPROVAL_FACTS_SPREAD = "...MigrationWardenApprovalFacts";
export const APPROVAL_FACTS_FRAGMENT = PULL_FACTS_FRAGMENT;

/** The approval facts' first page as the first query answered it, for this app's id. */
export interface FirstApprovalFacts {
  /** The app id the clicks were filtered by (the reader uses the page only for the same id). */
  appId: number;
  answer: PullFactsAnswer;
}

/** The first query's side of the approval facts: a part whose variables depend on the app. */
export interface ApprovalFactsPart extends FirstReadPart<FirstApprovalFacts> {
  variables: Record<string, unknown>;
  /**
   * For a rejected query: its answer without this part when every GitHub error lies inside it
   * (the rest of the first read stands); otherwise the error, thrown again.
   */
  besideErrors: <T>(err: unknown) => T;
}

/**
 * This app's id comes from its own credentials (no request), as the approval reader's does;
 * without one (a token-only setup) the part is switched off: the approval check fails there anyway.
 */
export async function approvalFactsPart(octokit: GitHubClient): Promise<ApprovalFactsPart> {
  const appId = await ownAppId(octokit).catch(() => null);
  const none = { reviews: undefined, timeline: undefined, commits: undefined };
  const start = { reviews: null, timeline: null, commits: null };
  const part: ApprovalFactsPart = {
    fragment: APPROVAL_FACTS_SPREAD,
    aliases: PULL_FACTS_FIELDS,
    variables: pullFactsVariables(appId ?? 0, FIRST_PAGE_COMMITS, appId === null ? none : start),
    besideErrors: <T>(err: unknown): T => {
      const kept = answerWithoutFailedParts<T>(err, [part]);
      if (kept === null) throw err;
      return kept;
    },
    // Not asked, or dropped for GitHub's errors inside it (its fields then null): not read.
    parse: (raw, info) => {
      if (appId === null || PULL_FACTS_FIELDS.every((f) => raw[f] == null)) return undefined;
      const { approvalReviews, approvalTimeline, approvalCommits } = raw;
      const pullRequest = { number: raw.number, headRefOid: raw.headRefOid };
      return {
        appId,
        answer: {
          repository: {
            databaseId: info.baseRepoId,
            pullRequest: { ...pullRequest, approvalReviews, approvalTimeline, approvalCommits },
          },
        } as PullFactsAnswer,
      };
    },
  };
  return part;
}
