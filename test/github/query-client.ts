/**
 * An octokit for the first query's unit tests (src/github/pull-request-query.ts and the parts in
 * src/github/first-read/): GraphQL answers `graphql` (an Error is thrown), REST's `GET /pulls/{n}`
 * answers an open pull request with head `head`; `sent` counts both. With `appId`, the app's own
 * id its credentials give (the approval facts' part is then asked).
 */
import { expect } from "@jest/globals";
import type { GitHubClient } from "../../src/github/client.js";
import { PULL_REQUEST_QUERY } from "../../src/github/pull-request-query.js";

export function queryClient(
  graphql: Record<string, unknown> | Error,
  head: string,
  appId?: number,
) {
  const sent = { graphql: 0, rest: 0 };
  const octokit = {
    ...(appId === undefined ? {} : { auth: async () => ({ type: "app", appId }) }),
    graphql: async (query: string) => {
      sent.graphql++;
      expect(query).toBe(PULL_REQUEST_QUERY);
      if (graphql instanceof Error) throw graphql;
      return graphql;
    },
    rest: {
      pulls: {
        get: async () => {
          sent.rest++;
          return {
            data: {
              state: "open",
              head: { sha: head, repo: { full_name: "fork/r" } },
              base: { ref: "main", repo: { default_branch: "main", id: 7 } },
              changed_files: 3,
              commits: 2,
              user: { login: "dev" },
            },
          };
        },
      },
    },
  } as unknown as GitHubClient;
  return { octokit, sent };
}

/** What @octokit/graphql throws for an answer with `errors` beside `data` (no path: undefined). */
export function errorsBeside(data: unknown, paths: Array<unknown[] | undefined>): Error {
  return Object.assign(new Error("Something went wrong"), {
    name: "GraphqlResponseError",
    data,
    errors: paths.map((path) => ({ message: "Something went wrong", ...(path ? { path } : {}) })),
  });
}

/**
 * A plain first answer for pull request #2 of repository 7 at `head`, its pull request's fields
 * overridden by `pr`, the repository's by `repo`.
 */
export function firstAnswer(
  head: string,
  pr: Record<string, unknown>,
  repo: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    repository: {
      databaseId: 7,
      defaultBranchRef: { name: "main" },
      pullRequest: {
        number: 2,
        state: "OPEN",
        headRefOid: head,
        baseRefName: "main",
        changedFiles: 3,
        commits: { totalCount: 2 },
        author: { __typename: "User", login: "dev" },
        headRepository: { nameWithOwner: "o/r" },
        baseRef: null,
        ...pr,
      },
      ...repo,
    },
  };
}
