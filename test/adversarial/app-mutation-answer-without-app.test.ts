/**
 * A check-run mutation answered with data AND errors: the run was created (databaseId), but a
 * part of what the writer selected could not be read, so GitHub answers it null with an error at
 * its path (here the run's check suite, which names the app that created it). The REST create
 * this mutation replaced always answered the app.
 *
 * The look after writing (write.ts endPassesHidingNewer) finds a newer evaluation's run by this
 * app's id: the run's app as the create answered it, else the app id of the credentials. In a
 * token-only setup (GITHUB_TOKEN, no APP_ID: ownAppId cannot say) the run's app is the only one
 * there is. Without it the pass was never looked after: an older evaluation's pass written after
 * a newer one's block (another process) stayed the newest run, and the check passed.
 */
import { describe, expect, test } from "@jest/globals";
import type { GitHubClient } from "../../src/github/client.js";
import { olderPassAfterNewerBlock, otherProcess } from "../github/check-writes.js";
import { APPROVAL, helloWorld, type Harness, useHarness } from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

type Answer = {
  data?: Record<string, { checkRun?: Record<string, unknown> | null } | null> | null;
  errors?: unknown[];
};

/** Every check-run mutation answers its runs' check suite null, with an error at its path. */
function withoutSuites(octokit: GitHubClient): void {
  octokit.hook.after("request", (response, options) => {
    if (!/createCheckRun/.test(String((options as { query?: unknown }).query ?? ""))) return;
    const answer = response.data as Answer;
    for (const [alias, field] of Object.entries(answer.data ?? {})) {
      if (!field?.checkRun) continue;
      field.checkRun.checkSuite = null;
      (answer.errors ??= []).push({
        type: "FORBIDDEN",
        path: [alias, "checkRun", "checkSuite"],
        message: "Resource not accessible by integration",
      });
    }
  });
}

describe("a check-run mutation answered without the app that created the run", () => {
  test("token-only: an older pass written after a newer block does not stay the newest run", async () => {
    const { headSha } = helloWorld(h.fake, {}, { "README.md": "# changed\n" });
    const baseRepoNodeId = `R_${h.fake.repo("Codertocat", "Hello-World").id}`;
    // Token-only: the credentials name no app.
    const { octokit, writing } = await otherProcess(h, { headSha, baseRepoNodeId }, null);
    withoutSuites(octokit);
    await olderPassAfterNewerBlock(h, writing, { path: /^\/graphql$/, body: /createCheckRun/ });

    const runs = h.runs(APPROVAL);
    // Each evaluation's run created once (the one answered without its app adopted by marker).
    expect(runs).toHaveLength(2);
    const newest = runs.reduce((a, r) => (r.id > a.id ? r : a));
    expect(newest.conclusion).not.toBe("success");
    expect(runs.map((r) => r.status)).not.toContain("in_progress");
  });
});
