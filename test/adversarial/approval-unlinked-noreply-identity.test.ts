/**
 * A noreply address names a login, but only GitHub's link says whose it is. GitHub stops linking
 * an account's login-based address (`al@users.noreply.github.com`) once the account is renamed,
 * and an ID-based one with another account's id is linked to nobody. The approval read the login
 * out of any noreply address GitHub had not linked, meant for bots (GitHub never links them):
 *
 * - DBA alice, formerly "al", commits her migration (or is credited as its co-author) under her
 *   old address; GitHub links it to no account, the app took "al" as the contributor, and alice's
 *   own approval passed her own change, where an unlinked email must fail closed ("Commit
 *   authors unknown").
 *
 * Only `name[bot]` addresses are read that way now; any other address GitHub links to no account
 * is an unknown contributor, by GraphQL as by REST (which never read the address).
 */
import { describe, expect, test } from "@jest/globals";
import { noreplyLogin } from "../../src/github/approval/coauthors.js";
import { readPullFacts } from "../../src/github/approval/pull-facts.js";
import type { GitHubClient } from "../../src/github/client.js";
import {
  APPROVAL,
  approvalFactsOutOfFirstRead,
  mergedMigrations,
  pullRequestEvent,
  reviewEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const OWNER = "Codertocat";
const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n";
const OLD_ADDRESS = "al@users.noreply.github.com";

async function coAuthoredByAlice(): Promise<{ conclusion: string | null; title: string | null }> {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
  const base = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": CONFIG, ...mergedMigrations(1) },
  });
  const head = repo.commit({
    parent: base,
    files: { "migrations/0002_note.up.sql": "CREATE TABLE note (id int);\n" },
    author: "dev",
    message: `Add note\n\nCo-authored-by: Alice <${OLD_ADDRESS}>`,
  });
  const number = repo.openPullRequest({ number: 2, base: "master", head, user: "dev" });
  h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
  // GitHub no longer links alice's address from before her rename.
  h.fake.linkEmail(OLD_ADDRESS, null);
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  const id = repo.review(number, { user: "alice", state: "APPROVED" });
  await h.receive("pull_request_review", reviewEvent("submitted", repo, number, id));
  const run = h.runs(APPROVAL).at(-1)!;
  return { conclusion: run.conclusion, title: run.output.title };
}

const UNKNOWN = {
  conclusion: "failure",
  title: "Commit authors unknown: approvals cannot be verified",
};

describe("a noreply address GitHub links to no account", () => {
  test("as a co-author, read with the approval facts (GraphQL): the contributor is unknown", async () => {
    expect(await coAuthoredByAlice()).toEqual(UNKNOWN);
  });

  test("as a co-author, read by the co-author query (REST listings): the contributor is unknown", async () => {
    approvalFactsOutOfFirstRead(h.fake);
    h.fake.graphqlFault({ executed: true, operation: "MigrationWardenPullFacts", error: "x" });
    expect(await coAuthoredByAlice()).toEqual(UNKNOWN);
  });

  test("as a commit's author or committer (GraphQL): unknown, as REST says", async () => {
    const answer = {
      repository: {
        databaseId: 1,
        pullRequest: {
          number: 2,
          headRefOid: "a".repeat(40),
          approvalReviews: { totalCount: 0, pageInfo: { hasNextPage: false }, nodes: [] },
          approvalTimeline: { pageInfo: { hasNextPage: false }, nodes: [] },
          approvalCommits: {
            totalCount: 1,
            pageInfo: { hasNextPage: false },
            nodes: [
              {
                commit: {
                  id: "C_a",
                  oid: "a".repeat(40),
                  message: "Add note",
                  author: { email: OLD_ADDRESS, user: null },
                  committer: { email: "12345+al@users.noreply.github.com", user: null },
                  authors: {
                    totalCount: 1,
                    nodes: [{ name: "Alice", email: OLD_ADDRESS, user: null }],
                  },
                  checkSuites: { totalCount: 0, pageInfo: { hasNextPage: false }, nodes: [] },
                },
              },
            ],
          },
        },
      },
    };
    const octokit = { graphql: async () => answer } as unknown as GitHubClient;
    const read = await readPullFacts(
      octokit,
      { owner: OWNER, repo: "Hello-World" },
      { number: 2, headSha: "a".repeat(40) },
      123,
    );
    expect(read.facts?.commits[0]).toMatchObject({ author: null, committer: null });
  });

  test("bots' addresses still name them (GitHub never links a bot)", () => {
    expect(noreplyLogin("49699333+dependabot[bot]@users.noreply.github.com")).toBe(
      "dependabot[bot]",
    );
    expect(noreplyLogin("41898282+github-actions[bot]@users.noreply.github.com")).toBe(
      "github-actions[bot]",
    );
    expect(noreplyLogin(OLD_ADDRESS)).toBeNull();
    expect(noreplyLogin("12345+al@users.noreply.github.com")).toBeNull();
  });
});
