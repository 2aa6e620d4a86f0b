/**
 * Adversarial reproduction (merge queue, Goal A): a pull request that adds a migration directory
 * to `.github/migration-warden.yml` together with migrations in it reaches the default branch
 * through the merge queue with every check green and no DBA approval.
 * The test asserts the SAFE outcome; it failed before the fix (docs/security.md).
 */
import { describe, expect, test } from "@jest/globals";
import { APPROVAL, LINT, pullRequestEvent, type Harness, useHarness } from "../github/harness.js";
import {
  AUDIT,
  dbaConfig,
  dbaRepository,
  groupEvent,
  latestOn,
  push,
} from "../github/repositories.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const WIDER = dbaConfig(["migrations", "db/extra"]);

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
    const { repo, master: baseSha } = dbaRepository(h.fake, "Adv-Queue-Dir");
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
    const prApproval = latestOn(h, APPROVAL, head)?.conclusion;
    const prLint = latestOn(h, LINT, head)?.conclusion;

    const entry = repo.enqueue(2);
    await h.receive("merge_group", groupEvent(repo, entry));
    const groupApproval = latestOn(h, APPROVAL, entry.headSha)?.conclusion;
    const groupLint = latestOn(h, LINT, entry.headSha)?.conclusion;

    // The queue merges the group head: a push of master to it.
    await push(h, repo, "master", entry.headSha);
    const audit = latestOn(h, AUDIT, entry.headSha)?.conclusion;

    const passing = (c: string | null | undefined) => c === "success" || c === "neutral";
    // Safe outcome: at least one of the gates on the way stops (or flags) the unreviewed DROP.
    const allGreen = [prApproval, prLint, groupApproval, groupLint, audit].every(passing);
    expect({ allGreen, prApproval, prLint, groupApproval, groupLint, audit }).toMatchObject({
      allGreen: false,
    });
    // Stopped before the merge, not only reported after it: the files are in a directory the
    // change's own configuration adds, which the base's configuration cannot judge (fail closed).
    expect([prApproval, groupApproval, audit]).toEqual(["failure", "failure", "failure"]);
    expect(latestOn(h, APPROVAL, entry.headSha)?.output.summary).toContain(
      "a change of its own first",
    );
  });
});
