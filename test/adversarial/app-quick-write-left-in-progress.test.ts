/**
 * A quick evaluation writes a result with more than 50 annotations as a run created in_progress
 * with the first batch and completed by the last. When a later write of that run fails for good,
 * the run it created must end completed (failure, with the reason), as a slow evaluation's run
 * does: a run left in_progress for ever beside a separate failure run is what this guards.
 */
import { describe, expect, test } from "@jest/globals";
import { DEFAULT_PENDING_AFTER_MS } from "../../src/github/review.js";
import { ATTEMPTS, LINT, pullRequestEvent, type Harness, useHarness } from "../github/harness.js";

let h: Harness;
useHarness((created) => (h = created), {
  // A limit no evaluation here reaches: the quick path, even in a starved test process.
  app: { pendingAfterMs: 20 * DEFAULT_PENDING_AFTER_MS, replay: false },
});

const CONFIG =
  "directories:\n  - path: migrations\n    dialect: postgres\napproval:\n  teams: [dba]\n";

describe("a quick write of more than 50 annotations that fails half-way", () => {
  test("the run it created ends completed as failure, never left in_progress", async () => {
    const repo = h.fake.createRepo("Codertocat", "Hello-World", { defaultBranch: "master" });
    const base = repo.commit({
      branch: "master",
      files: {
        ".github/migration-warden.yml": CONFIG,
        "migrations/0001_t1.up.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY);\n",
        "migrations/0001_t1.down.sql": "DROP TABLE t1;\n",
      },
    });
    const files: Record<string, string> = {};
    // 60 new versions without down files: 60 warnings, two annotation batches.
    for (let v = 2; v < 62; v++)
      files[`migrations/${String(v).padStart(4, "0")}_t${v}.up.sql`] =
        `CREATE TABLE t${v} (id bigint PRIMARY KEY);\n`;
    const head = repo.commit({ parent: base, files, author: "dev" });
    const number = repo.openPullRequest({ number: 2, base: "master", head, user: "dev" });
    // Every attempt of the completing update fails.
    h.fake.failNext({ method: "PATCH", path: /\/check-runs\/\d+$/, status: 500, times: ATTEMPTS });
    await h.receive("pull_request", pullRequestEvent("opened", repo, number));

    const runs = h.runs(LINT);
    expect(runs.map((r) => r.status)).not.toContain("in_progress");
    expect(runs.at(-1)!.conclusion).toBe("failure");
    expect(runs.some((r) => r.conclusion === "success" || r.conclusion === "neutral")).toBe(false);
  });
});
