/**
 * An octokit for the first query's unit tests (src/github/pull-request-query.ts and the parts in
 * src/github/first-read/): GraphQL answers `graphql` (an Error is thrown), REST's `GET /pulls/{n}`
 * answers an open pull request with head `head`; `sent` counts both.
 */
import { expect } from "@jest/globals";
import type { GitHubClient } from "../../src/github/client.js";
import { PULL_REQUEST_QUERY } from "../../src/github/pull-request-query.js";

export function queryClient(graphql: Record<string, unknown> | Error, head: string) {
  const sent = { graphql: 0, rest: 0 };
  const octokit = {
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
