/**
 * Adversarial reproduction against the push audit: approved content landed out of order.
 * The test asserts the SAFE outcome; it failed before the fix (docs/security.md).
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeRepo } from "../support/fake-github.mjs";
import { APPROVAL, pushEvent, type Harness, useHarness } from "../github/harness.js";
import { approvedPullRequest, AUDIT, dbaRepository, latestOn } from "../github/repositories.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

/** Lands a merge of the pull request on master the way a direct (admin) push would. */
async function pushMerge(repo: FakeRepo, number: number) {
  const before = repo.branches.get("master")!;
  const merge = repo.mergePullRequest(number);
  await h.receive("push", pushEvent(h.fake, repo, "master", before, merge));
  return merge;
}

describe("push audit: approved content out of order", () => {
  /**
   * 0002 was approved while master's latest migration was 0001. Meanwhile 0003 lands (approved,
   * audited: success). Pushing the 0002 approval's head onto master now puts a version below the
   * latest one on the branch: golang-migrate on a database already at 3 silently never applies
   * 0002. Lint on this change fails (version not increasing), but the audit only compares blobs
   * with approved heads, so it reports success. The one thing the audit exists for, content
   * reaching the branch without a passing gate on that branch state, goes unreported.
   */
  test("pushing an approved 0002 after 0003 landed is reported", async () => {
    const { repo } = dbaRepository(h.fake, "Adv-Stale-1");
    const a = await approvedPullRequest(h, repo, {
      "migrations/0002_a.up.sql": "CREATE TABLE a (id int);\n",
      "migrations/0002_a.down.sql": "DROP TABLE a;\n",
    });
    const b = await approvedPullRequest(h, repo, {
      "migrations/0003_b.up.sql": "CREATE TABLE b (id int);\n",
      "migrations/0003_b.down.sql": "DROP TABLE b;\n",
    });
    const mb = await pushMerge(repo, b.number);
    expect(h.runs(AUDIT).find((r) => r.head_sha === mb)?.conclusion).toBe("success");
    // The approval of #a is still the passing run on its head (nothing re-evaluated it).
    expect(latestOn(h, APPROVAL, a.head)?.conclusion).toBe("success");
    const ma = await pushMerge(repo, a.number);
    const run = h.runs(AUDIT).find((r) => r.head_sha === ma);
    expect(run).toBeDefined();
    // Safe outcome: 0002 below the branch's latest 0003 is not accepted as covered.
    expect(run!.conclusion).toBe("failure");
  });
});
