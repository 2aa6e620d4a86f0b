/**
 * Who counts as having written the change (session 14, held attacks: each passed before this
 * session too, and is pinned here). A DBA who wrote, co-wrote or committed any commit of the
 * pull request may not approve it: co-author trailers in odd spellings, several trailers, an
 * ID-based noreply address, a DBA who only committed (a rebase, a suggestion applied), a DBA's
 * commit re-used in someone else's pull request. A trailer without an address credits nobody,
 * as on GitHub (identity is GitHub's link of an address to an account, never a name).
 */
import { describe, expect, test } from "@jest/globals";
import {
  APPROVAL,
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
const NOTE = { "migrations/0002_note.up.sql": "CREATE TABLE note (id int);\n" };

interface Commit {
  author?: string | null;
  committer?: string | null;
  message?: string;
}

/** PR #2 by `user` with these commits (the first adds the migration); alice approves. */
async function approvedByAlice(
  commits: Commit[],
  user = "dev",
): Promise<[string | null, string | null]> {
  const repo = h.fake.createRepo(OWNER, "Hello-World", { defaultBranch: "master" });
  let head = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": CONFIG, ...mergedMigrations(1) },
  });
  commits.forEach((c, i) => {
    head = repo.commit({
      parent: head,
      files: i === 0 ? NOTE : { [`docs/${i}.md`]: `${i}\n` },
      author: c.author === undefined ? "dev" : c.author,
      ...(c.committer !== undefined ? { committer: c.committer } : {}),
      ...(c.message !== undefined ? { message: c.message } : {}),
    });
  });
  const number = repo.openPullRequest({ number: 2, base: "master", head, user });
  h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
  h.fake.linkEmail("alice@corp.example", "alice");
  h.fake.linkEmail("carol@corp.example", "carol");
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  const id = repo.review(number, { user: "alice", state: "APPROVED" });
  await h.receive("pull_request_review", reviewEvent("submitted", repo, number, id));
  const run = h.runs(APPROVAL).at(-1)!;
  return [run.conclusion, run.output.title];
}

const WAITING: [string, string] = ["action_required", "Waiting for DBA approval (0 of 1)"];

describe("a DBA who wrote part of the change may not approve it", () => {
  test.each<[string, Commit[]]>([
    ["a trailer in capitals", [{ message: "Add\n\nCO-AUTHORED-BY: Alice <ALICE@corp.example>" }]],
    ["a trailer without spaces", [{ message: "Add\n\nco-authored-by:Alice<alice@corp.example>" }]],
    [
      "the second of several trailers",
      [
        {
          message:
            "Add\n\nCo-authored-by: Carol <carol@corp.example>\nCo-authored-by: Alice <alice@corp.example>",
        },
      ],
    ],
    [
      "an ID-based noreply address GitHub links",
      [{ message: "Add\n\nCo-authored-by: A <12345+alice@users.noreply.github.com>" }],
    ],
    ["the committer of a commit someone else authored", [{ committer: "alice" }]],
    ["the author of a later commit", [{}, { author: "alice" }]],
    [
      "a co-author of a later commit",
      [{}, { message: "Docs\n\nCo-authored-by: A <alice@corp.example>" }],
    ],
  ])("%s", async (_name, commits) => {
    expect(await approvedByAlice(commits)).toEqual(WAITING);
  });

  test("the pull request's author, whoever wrote the commits", async () => {
    expect(await approvedByAlice([{ author: "carol" }], "alice")).toEqual(WAITING);
  });
});

describe("held the other way", () => {
  test("a trailer without an address credits nobody (GitHub's link decides, not a name)", async () => {
    expect(await approvedByAlice([{ message: "Add\n\nCo-authored-by: alice" }])).toEqual([
      "success",
      "Approved by @alice",
    ]);
  });

  test("a pull request opened and written by an app is approved by a DBA", async () => {
    expect(await approvedByAlice([{ author: "dependabot[bot]" }], "dependabot[bot]")).toEqual([
      "success",
      "Approved by @alice",
    ]);
  });
});
