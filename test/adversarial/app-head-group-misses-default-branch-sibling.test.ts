/**
 * Attack on the approval's head group (approval/head-group.ts, first-read/head-pulls.ts): check
 * runs belong to the commit, so the approval run on a head must satisfy every open pull request
 * with that head. GitHub's commit association (`GET /commits/{sha}/pulls`, GraphQL's
 * `associatedPullRequests`) lists only the merged pull request for a commit already on the
 * default branch, so two pull requests proposing the default branch's tip to two release
 * branches do not see each other. The second one evaluated wrote the newest run for itself only:
 * a DBA's approval of one released the other, unreviewed, into its branch.
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

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\nreplay:\n  enabled: false\n";

describe("two pull requests of the default branch's tip into two release branches", () => {
  test("an approval of one does not pass the shared head for the other", async () => {
    const repo = h.fake.createRepo("Codertocat", "Adv-Group", { defaultBranch: "master" });
    h.fake.setTeamMembership("Codertocat", "dba", "alice", "active");
    const base = repo.commit({
      branch: "release",
      files: { ".github/migration-warden.yml": CONFIG, ...mergedMigrations(1) },
    });
    repo.branches.set("release-2", base);
    const tip = repo.commit({
      branch: "master",
      parent: base,
      author: "mallory",
      files: {
        "migrations/0002_drop.up.sql": "DROP TABLE t1;\n",
        "migrations/0002_drop.down.sql": "SELECT 1;\n",
      },
    });
    repo.openPullRequest({ number: 3, base: "release-2", head: tip, user: "mallory" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, 3));
    const newest = () =>
      h.fake.checkRuns.filter((r) => r.head_sha === tip && r.name === APPROVAL).at(-1)!;
    expect(newest().conclusion).not.toBe("success");

    repo.openPullRequest({ number: 2, base: "release", head: tip, user: "mallory" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, 2));
    const review = repo.review(2, { user: "alice", state: "APPROVED" });
    await h.receive("pull_request_review", reviewEvent("submitted", repo, 2, review));

    // #3 was never reviewed: what GitHub shows on its head must not pass.
    const shown = newest();
    expect([shown.conclusion, shown.external_id]).not.toEqual([
      "success",
      expect.stringMatching(/;pr=2;/),
    ]);
    expect(shown.conclusion).not.toBe("success");
  });
});
