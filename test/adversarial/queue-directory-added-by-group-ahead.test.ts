/**
 * Adversarial reproduction (merge queue, Goal A): a reviewed pull request that adds a migration
 * directory to the policy, and an unreviewed one that puts migrations in that directory, queued
 * one behind the other. The test asserts the SAFE outcome; it failed before the fix (docs/security.md).
 */
import { describe, expect, test } from "@jest/globals";
import {
  APPROVAL,
  LINT,
  pullRequestEvent,
  pushEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";
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

const WIDER = dbaConfig(["migrations", "db/reporting"]);

describe("a directory added by a pull request ahead in the queue", () => {
  /**
   * #2 (reviewed by code owners; it only strengthens the policy) adds `db/reporting` to the
   * configured directories. #3, by mallory, adds `db/reporting/0001_cleanup.up.sql`
   * (`TRUNCATE t1`), judged with master's policy where db/reporting is no migration directory:
   * lint and approval pass with no review. Without a queue, merging #2 re-evaluates #3 under
   * the new policy and it then needs a DBA. In the queue both are in flight: #3's group head
   * carries #2's policy and #3's file, but the group is judged with the policy at master's tip
   * (deliberately: "a queued pull request cannot relax the rules its group is judged by"), so
   * the file is not a migration there and the group passes both checks. The audit of the
   * queue's push reads the policy from before the push too: success. The TRUNCATE lands as
   * merged history of a configured directory that no DBA ever saw.
   */
  test("the group carrying a migration in the new directory is not approved", async () => {
    const { repo, master: base } = dbaRepository(h.fake, "Adv-Queue-Ahead");
    const h2 = repo.commit({
      parent: base,
      author: "lead",
      files: { ".github/migration-warden.yml": WIDER },
    });
    repo.openPullRequest({ number: 2, base: "master", head: h2, user: "lead", headRef: "dir" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, 2));
    const h3 = repo.commit({
      parent: base,
      author: "mallory",
      files: {
        "db/reporting/0001_cleanup.up.sql": "TRUNCATE t1;\n",
        "db/reporting/0001_cleanup.down.sql": "SELECT 1;\n",
      },
    });
    repo.openPullRequest({ number: 3, base: "master", head: h3, user: "mallory", headRef: "x" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, 3));
    expect([latestOn(h, LINT, h3)?.conclusion, latestOn(h, APPROVAL, h3)?.conclusion]).toEqual([
      "success",
      "success",
    ]);

    const first = repo.enqueue(2);
    const second = repo.enqueue(3);
    await h.receive("merge_group", groupEvent(repo, first));
    await h.receive("merge_group", groupEvent(repo, second));
    const groupLint = latestOn(h, LINT, second.headSha)?.conclusion;
    const groupApproval = latestOn(h, APPROVAL, second.headSha)?.conclusion;

    // GitHub merges the second group's head (both pull requests) when its checks pass.
    await push(h, repo, "master", second.headSha);
    const audit = latestOn(h, AUDIT, second.headSha)?.conclusion;

    // Safe outcome: the group's approval does not pass on a file that is a migration of the
    // directory its own head configures (or, at the latest, the audit reports it).
    expect({ groupLint, groupApproval, audit }).not.toEqual({
      groupLint: "success",
      groupApproval: "success",
      audit: "success",
    });
    // The group itself is stopped: its head's configuration adds the directory its files are in.
    expect(groupApproval).toBe("failure");
  });
  /** Control (passes today): without a queue, merging #2 re-evaluates #3 under the new policy. */
  test("control: without a queue, #3 needs a DBA once #2 is merged", async () => {
    const { repo, master: base } = dbaRepository(h.fake, "Adv-Queue-Ctrl");
    const h2 = repo.commit({ parent: base, files: { ".github/migration-warden.yml": WIDER } });
    repo.openPullRequest({ number: 2, base: "master", head: h2, user: "lead", headRef: "dir" });
    const h3 = repo.commit({
      parent: base,
      files: {
        "db/reporting/0001_cleanup.up.sql": "TRUNCATE t1;\n",
        "db/reporting/0001_cleanup.down.sql": "SELECT 1;\n",
      },
    });
    repo.openPullRequest({ number: 3, base: "master", head: h3, user: "mallory", headRef: "x" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, 3));
    expect(latestOn(h, APPROVAL, h3)?.conclusion).toBe("success");
    const merge = repo.mergePullRequest(2);
    await h.receive("push", pushEvent(h.fake, repo, "master", base, merge));
    expect(latestOn(h, APPROVAL, h3)?.conclusion).not.toBe("success"); // action_required: a DBA must approve
  });
});
