/**
 * The shared set-up of the app tests (repositories.ts) gives what the copies it replaced gave: the
 * same policy text, the newest run of a check on one commit only, and a push that cannot be a
 * no-op (a test that moved the branch already would otherwise audit nothing and still pass).
 */
import { describe, expect, test } from "@jest/globals";
import { APPROVAL, type Harness, LINT, pullRequestEvent, useHarness } from "./harness.js";
import {
  approvedPullRequest,
  DBA_CONFIG,
  dbaConfig,
  dbaRepository,
  latestOn,
  OWNER,
  push,
} from "./repositories.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

describe("the DBA repository", () => {
  test("its policy is the text the tests wrote out before", () => {
    expect(DBA_CONFIG).toBe(
      "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n",
    );
    expect(dbaConfig(["migrations", "db/extra"], "replay:\n  enabled: false\n")).toBe(
      "directories:\n  - path: migrations\n    dialect: postgres\n  - path: db/extra\n    dialect: postgres\napproval:\n  teams: [dba]\nreplay:\n  enabled: false\n",
    );
  });

  test("a migration pull request alice approved passes; unapproved, it waits for a DBA", async () => {
    const { repo, master } = dbaRepository(h.fake, "Shared-1");
    expect(repo.branches.get("master")).toBe(master);
    expect(h.fake.repo(OWNER, "Shared-1")).toBe(repo);
    const change = {
      "migrations/0002_a.up.sql": "CREATE TABLE a (id int);\n",
      "migrations/0002_a.down.sql": "DROP TABLE a;\n",
    };
    // Asserts the approval run passes.
    const { head } = await approvedPullRequest(h, repo, change);
    expect(latestOn(h, LINT, head)?.conclusion).not.toBe("failure");
    const other = repo.commit({ parent: master, files: change, author: "dev" });
    const n = repo.openPullRequest({ base: "master", head: other, user: "dev" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, n));
    expect(latestOn(h, APPROVAL, other)?.conclusion).toBe("action_required");
  });
});

describe("latestOn", () => {
  test("the newest run of that check on that commit, not on another or of another check", () => {
    const { repo, master } = dbaRepository(h.fake, "Shared-2");
    const other = repo.commit({ parent: master, files: { "README.md": "y\n" } });
    const run = (name: string, sha: string, title: string) =>
      h.fake.addCheckRun(repo, { name, head_sha: sha, conclusion: "success", title });
    run(APPROVAL, master, "older");
    run(APPROVAL, master, "newer");
    run(APPROVAL, other, "elsewhere");
    run(LINT, master, "lint");
    expect(latestOn(h, APPROVAL, master)?.output.title).toBe("newer");
    expect(latestOn(h, LINT, other)).toBeUndefined();
  });
});

describe("push", () => {
  test("refuses a branch that is already where it is to be pushed", async () => {
    const { repo, master } = dbaRepository(h.fake, "Shared-3");
    await expect(push(h, repo, "master", master)).rejects.toThrow(/already at/);
    expect(h.calls()).toEqual([]);
  });
});
