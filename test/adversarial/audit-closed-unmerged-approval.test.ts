/**
 * Adversarial reproduction against the push audit: the approval of a pull request that was
 * closed without merging covers a direct push of its head. The test asserts the SAFE outcome; it failed
 * before the fix that closed the hole (see docs/security.md).
 */
import { describe, expect, test } from "@jest/globals";
import { APPROVAL, pullRequestEvent, type Harness, useHarness } from "../github/harness.js";
import { AUDIT, dbaRepository, latestOn, push } from "../github/repositories.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

describe("an approved pull request that was closed without merging", () => {
  /**
   * Issue 12 §2: pushed content must equal what an approval passed on "for a merged pull
   * request, its approval run …; for a merge queue, the group head's run". approvalAt() accepts
   * a passing approval run on ANY pushed commit. So a pull request a DBA approved and the team
   * then abandoned (closed: wrong design, a code owner said no, an incident freeze) stays
   * deployable: months later an admin pushes its head to master and the audit reports success,
   * "covered by an approval", with no merged pull request anywhere.
   */
  test("its head pushed directly to master is not covered", async () => {
    const { repo, master: base } = dbaRepository(h.fake, "Adv-Closed-1");
    const head = repo.commit({
      parent: base,
      author: "dev",
      files: {
        "migrations/0002_purge.up.sql": "DELETE FROM t1 WHERE id < 1000;\n",
        "migrations/0002_purge.down.sql": "SELECT 1;\n",
      },
    });
    const n = repo.openPullRequest({ base: "master", head, user: "dev" });
    repo.review(n, { user: "alice", state: "APPROVED" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, n));
    expect(latestOn(h, APPROVAL, head)?.conclusion).toBe("success");
    repo.closePullRequest(n); // abandoned, never merged
    await h.receive("pull_request", pullRequestEvent("closed", repo, n));

    await push(h, repo, "master", head, { pusher: "mallory" });
    const run = latestOn(h, AUDIT, head);
    expect(run).toBeDefined();
    // Safe outcome: no merged pull request and no merge queue group: not covered.
    expect(run!.conclusion).toBe("failure");
  });
});
