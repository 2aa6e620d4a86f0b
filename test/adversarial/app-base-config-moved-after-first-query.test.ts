/**
 * Attack on the first query's base tip (evaluate.ts, enforcement-cache.ts): with the branch's
 * protection remembered, the base tip and its configuration come from the first query alone. The
 * base's configuration then changes right after that answer (a directory the pull request writes
 * into becomes a migration directory). The event judges the tip it read; the base push that made
 * the change must leave the pull request's checks not passing.
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
import { dbaConfig, dbaRepository, latestOn } from "../github/repositories.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const CONFIG = (dirs: string[]) => dbaConfig(dirs, "replay:\n  enabled: false\n");

describe("the base's configuration changed right after the first query", () => {
  test("the base push leaves the pull request's checks not passing", async () => {
    const { repo, master: base } = dbaRepository(h.fake, "Adv-Base-Moved", CONFIG(["migrations"]));
    const head = repo.commit({
      parent: base,
      author: "mallory",
      files: {
        "db/0001_drop.up.sql": "DROP TABLE t1;\n",
        "db/0001_drop.down.sql": "SELECT 1;\n",
      },
    });
    repo.openPullRequest({ number: 2, base: "master", head, user: "mallory", headRef: "x" });
    // Warms the remembered branch protection.
    await h.receive("pull_request", pullRequestEvent("opened", repo, 2));
    const newest = (name: string) => latestOn(h, name, head);
    expect(newest(APPROVAL)?.conclusion).toBe("success");

    let moved = "";
    h.fake.graphqlFault({
      executed: true,
      operation: "MigrationWardenPullRequest",
      afterAnswer: () => {
        moved = repo.commit({
          branch: "master",
          files: { ".github/migration-warden.yml": CONFIG(["migrations", "db"]) },
        });
      },
    });
    const before = h.calls().length;
    await h.receive("pull_request", pullRequestEvent("reopened", repo, 2));
    expect(moved).not.toBe("");
    // The tip came from the first query alone (the protection remembered): no branch read.
    expect(
      h
        .calls()
        .slice(before)
        .filter((c) => /\/branches\/master\b/.test(c)),
    ).toEqual([]);
    // Judged at the tip it read: the old configuration, nothing in a migration directory.
    expect(newest(APPROVAL)?.conclusion).toBe("success");
    await h.receive("push", pushEvent(h.fake, repo, "master", base, moved));
    expect([newest(LINT)?.conclusion, newest(APPROVAL)?.conclusion]).not.toContain("success");
  });
});
