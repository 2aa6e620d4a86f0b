/**
 * Co-authors of commits (`Co-authored-by: Name <email>` trailers) with the GitHub accounts their
 * emails are linked to. They wrote the change as much as its author: they may not approve it
 * (unless `allowContributors`). Only GitHub knows which account an email belongs to (private
 * emails included), so the trailers are resolved by its GraphQL API, one request for up to 100
 * commits, and only for commits whose message names a co-author at all.
 */
import type { CoAuthor } from "../../core/approval/index.js";
import type { GitHubClient } from "../client.js";
import { EvaluationError } from "../errors.js";

/** The exact shape test/support/fake-github.mjs answers. */
export const CO_AUTHORS_QUERY = `query MigrationWardenCoAuthors($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Commit { oid authors(first: 100) { totalCount nodes { name email user { login databaseId } } } }
  }
}`;

const BATCH = 100;

/** A commit as REST lists it (pulls.listCommits, repos.compareCommits). */
export interface ListedCommit {
  sha: string;
  node_id?: string;
  commit: { message: string };
}

interface Answer {
  nodes: Array<{
    oid?: string;
    authors?: {
      totalCount: number;
      nodes: Array<{
        name: string | null;
        email: string | null;
        user: { login: string; databaseId?: number } | null;
      }>;
    };
  } | null>;
}

/** True when a message has a line that reads as a co-author trailer. */
export function namesCoAuthor(message: string): boolean {
  return /^[ \t]*co-authored-by[ \t]*:/im.test(message);
}

/**
 * The co-authors of each commit whose message names any (sha → co-authors), as GitHub parses the
 * trailers. Throws when GitHub cannot say (fail closed: an unknown co-author could be an approver).
 */
export async function coAuthorsOf(
  octokit: GitHubClient,
  commits: readonly ListedCommit[],
): Promise<Map<string, CoAuthor[]>> {
  const out = new Map<string, CoAuthor[]>();
  const wanted = commits.filter((c) => namesCoAuthor(c.commit.message));
  for (let i = 0; i < wanted.length; i += BATCH) {
    const batch = wanted.slice(i, i + BATCH);
    const missing = batch.find((c) => !c.node_id);
    if (missing)
      throw new EvaluationError(
        `GitHub gave no node id for commit ${missing.sha}, whose co-authors must be checked`,
      );
    let answer: Answer;
    try {
      answer = await octokit.graphql<Answer>(CO_AUTHORS_QUERY, {
        ids: batch.map((c) => c.node_id!),
      });
    } catch (err) {
      throw new EvaluationError(
        `reading the co-authors of ${batch.length} commit${batch.length === 1 ? "" : "s"} failed: ${(err as Error).message}`,
      );
    }
    batch.forEach((c, j) => {
      const node = answer.nodes?.[j];
      const authors = node?.authors;
      if (!node || node.oid !== c.sha || !authors)
        throw new EvaluationError(`GitHub did not list the authors of commit ${c.sha}`);
      if (authors.totalCount !== authors.nodes.length)
        throw new EvaluationError(
          `commit ${c.sha} names ${authors.totalCount} authors, more than GitHub lists at once`,
        );
      // GitHub lists the git author first, then the trailers.
      out.set(
        c.sha,
        authors.nodes.slice(1).map((a) => ({
          login: a.user?.login ?? noreplyLogin(a.email ?? ""),
          id:
            typeof a.user?.databaseId === "number" && Number.isSafeInteger(a.user.databaseId)
              ? a.user.databaseId
              : null,
          name: a.name ?? "",
          email: a.email ?? "",
        })),
      );
    });
  }
  return out;
}

/**
 * The app a bot's noreply address names (`…+name[bot]@users.noreply.github.com`): GitHub never
 * links bots to users, so their addresses are read here. Any other address GitHub left unlinked
 * is linked to no account, whatever login it spells: GitHub stops linking an account's
 * login-based address (`login@users.noreply.github.com`) once the account is renamed, and an
 * ID-based one with another account's id links to nobody. Reading the login out of it named
 * someone who may not be the writer (a renamed DBA's own commit became "al"'s), so it is null:
 * an unknown contributor, as REST reports it.
 */
export function noreplyLogin(email: string): string | null {
  const m =
    /^(?:\d+\+)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\[bot\])@users\.noreply\.github\.com$/i.exec(
      email,
    );
  return m ? m[1]! : null;
}
