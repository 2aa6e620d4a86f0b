/**
 * Adversarial reproduction (merge queue, Goal A): a pull request that adds a migration directory
 * to `.github/migration-warden.yml` together with migrations in it reaches the default branch
 * through the merge queue with every check green and no DBA approval.
 * The test asserts the SAFE outcome; it failed before the fix (docs/security.md).
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeQueueEntry, FakeRepo } from "../support/fake-github.mjs";
import {
  APPROVAL,
  example,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  pushEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const OWNER = "Codertocat";
const AUDIT = "migration-warden/audit";
const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n";
const WIDER =
  "directories:\n  - path: migrations\n    dialect: postgres\n  - path: db/extra\n    dialect: postgres\napproval:\n  teams: [dba]\n";

function groupEvent(repo: FakeRepo, entry: FakeQueueEntry): any {
  const payload = example("merge_group", "checks_requested");
  payload.action = "checks_requested";
  payload.merge_group = { ...payload.merge_group, ...entry.payload };
  payload.repository = { ...payload.repository, ...repo.toJSON() };
  return payload;
}

describe("a pull request that adds a migration directory with migrations in it", () => {
  /**
   * The pull request (nobody reviews it) changes the policy to list `db/extra` and adds
   * `db/extra/0001_drop.up.sql` (DROP TABLE t1). Everything is judged with the base branch's
   * configuration, where `db/extra` is not a migration directory: the pull request's lint and
   * approval pass ("no migration changes"), so do the group's, and the audit of the queue's push
   * sees only a policy change that "adds" a directory, which does not weaken anything: success.
   * After the merge the file is merged history of a configured directory: never linted, never
   * approved, immutable from now on, and deployed by golang-migrate with the rest.
   */
  test("cannot land through the merge queue without a DBA approval", async () => {
    const repo = h.fake.createRepo(OWNER, "Adv-Queue-Dir", { defaultBranch: "master" });
    const baseSha = repo.commit({
      branch: "master",
      files: { ".github/migration-warden.yml": CONFIG, ...mergedMigrations(1) },
    });
    h.fake.setTeamMembership(OWNER, "dba", "alice", "active");
    const head = repo.commit({
      parent: baseSha,
      author: "mallory",
      files: {
        ".github/migration-warden.yml": WIDER,
        "db/extra/0001_drop.up.sql": "DROP TABLE t1;\n",
        "db/extra/0001_drop.down.sql": "SELECT 1;\n",
      },
    });
    repo.openPullRequest({ number: 2, base: "master", head, user: "mallory", headRef: "wider" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, 2));
    const own = (name: string, sha: string) =>
      h.fake.checkRuns.filter((r) => r.head_sha === sha && r.name === name).at(-1);
    const prApproval = own(APPROVAL, head)?.conclusion;
    const prLint = own(LINT, head)?.conclusion;

    const entry = repo.enqueue(2);
    await h.receive("merge_group", groupEvent(repo, entry));
    const groupApproval = own(APPROVAL, entry.headSha)?.conclusion;
    const groupLint = own(LINT, entry.headSha)?.conclusion;

    // The queue merges the group head: a push of master to it.
    repo.branches.set("master", entry.headSha);
    await h.receive("push", pushEvent(h.fake, repo, "master", baseSha, entry.headSha));
    const audit = own(AUDIT, entry.headSha)?.conclusion;

    const passing = (c: string | null | undefined) => c === "success" || c === "neutral";
    // Safe outcome: at least one of the gates on the way stops (or flags) the unreviewed DROP.
    const allGreen = [prApproval, prLint, groupApproval, groupLint, audit].every(passing);
    expect({ allGreen, prApproval, prLint, groupApproval, groupLint, audit }).toMatchObject({
      allGreen: false,
    });
    // Stopped before the merge, not only reported after it: the files are in a directory the
    // change's own configuration adds, which the base's configuration cannot judge (fail closed).
    expect([prApproval, groupApproval, audit]).toEqual(["failure", "failure", "failure"]);
    expect(own(APPROVAL, entry.headSha)?.output.summary).toContain("a change of its own first");
  });
});
