/**
 * Adversarial reproduction against the push audit's policy check: "weakened through a pull
 * request" is taken as reviewed, but nothing checks that anyone reviewed it.
 * The test asserts the SAFE outcome; it failed before the fix (docs/security.md).
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
import { AUDIT, DBA_CONFIG as CONFIG, dbaRepository, latestOn } from "../github/repositories.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

describe("policy weakened by a merged pull request nobody approved", () => {
  /**
   * Mallory opens a pull request that only edits `.github/migration-warden.yml`:
   * `approval.required: never` and `rules.drop-table: off`. Judged with the base's policy it
   * changes no migration, so lint and approval pass with no review at all. Merged (here by the
   * merge button, no reviewer), the push audit sees a weakening "through pull request #2" and
   * concludes success. The only thing that made the direct-push variant fail, "without a
   * reviewed pull request", is satisfied by a pull request no one reviewed; every later
   * migration then merges without a DBA.
   */
  test("the audit does not pass a weakening merged without any approval", async () => {
    const { repo, master: base } = dbaRepository(h.fake, "Adv-Policy-1");
    const head = repo.commit({
      parent: base,
      author: "mallory",
      files: {
        ".github/migration-warden.yml": `${CONFIG.replace("teams: [dba]", "required: never\n  teams: [dba]")}rules:\n  drop-table: off\n`,
      },
    });
    const n = repo.openPullRequest({ base: "master", head, user: "mallory" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, n));
    // Nobody reviewed it; the pull request gate lets it through.
    expect(latestOn(h, APPROVAL, head)?.conclusion).toBe("success");
    expect(latestOn(h, LINT, head)?.conclusion).toBe("success");

    const merge = repo.mergePullRequest(n, { by: "mallory" });
    await h.receive("push", pushEvent(h.fake, repo, "master", base, merge, { pusher: "mallory" }));
    const run = latestOn(h, AUDIT, merge);
    expect(run).toBeDefined();
    expect(run!.output.title).toContain("policy weakened (pull request #");
    expect(run!.output.summary).toContain("`approval.required`");
    // Safe outcome: a weakening no DBA approved fails the audit.
    expect(run!.conclusion).toBe("failure");
  });
});
