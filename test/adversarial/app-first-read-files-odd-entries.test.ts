/**
 * Attacks on the first query's changed files (first-read/changed-files.ts): entries GraphQL types
 * ADDED/MODIFIED/DELETED that are not plain files. GraphQL's list has no blob ids or modes, so
 * the head's entry (describeHead) must decide what the file is: a symlink retargeted, a submodule
 * bumped, or a directory put where a migration was, all at migration paths. Each is checked
 * through the app against the fake GitHub, by the query and by REST: the same checks, and none
 * passes.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import type { FakeGitHub, FakeRepo } from "../support/fake-github.mjs";
import {
  createHarness,
  finish,
  helloWorld,
  mergedMigrations,
  pullRequestEvent,
  readByRest,
  newestChecks,
  type Harness,
} from "../github/harness.js";

let current: Harness | undefined;
afterEach(() => {
  finish(current);
  current = undefined;
});

const FILES = /^GET \/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files/;

async function checks(
  build: (fake: FakeGitHub) => { repo: FakeRepo; number: number },
  rest: boolean,
): Promise<{ calls: string[]; checks: Array<Record<string, unknown>> }> {
  finish(current);
  const h = await createHarness({ app: { replay: false } });
  current = h;
  const { repo, number } = build(h.fake);
  if (rest) readByRest(h.fake, "files");
  await h.receive("pull_request", pullRequestEvent("opened", repo, number));
  return {
    calls: h.calls(),
    checks: newestChecks(h),
  };
}

/** By the query (no REST file list) and by REST: the same checks, neither passing. */
async function heldAsRest(
  build: (fake: FakeGitHub) => { repo: FakeRepo; number: number },
): Promise<Array<Record<string, unknown>>> {
  const viaQuery = await checks(build, false);
  const viaRest = await checks(build, true);
  expect(viaRest.calls.filter((c) => FILES.test(c)).length).toBeGreaterThan(0);
  expect(viaQuery.checks).toEqual(viaRest.checks);
  expect(viaQuery.checks.map((c) => c.conclusion)).not.toContain("success");
  return viaQuery.checks;
}

describe("odd entries at migration paths in the first query's file list", () => {
  test("a migration that was a symlink, retargeted (MODIFIED): not read as the old file", async () => {
    const base = {
      ...mergedMigrations(1),
      "sql/a.sql": "SELECT 1;\n",
      "sql/b.sql": "DROP TABLE t1;\n",
    };
    await heldAsRest((fake) => {
      const repo = fake.createRepo("Codertocat", "Hello-World", { defaultBranch: "master" });
      const b = repo.commit({
        branch: "master",
        files: {
          ".github/migration-warden.yml":
            "directories:\n  - path: migrations\n    dialect: postgres\nreplay:\n  enabled: false\n",
          ...base,
          "migrations/0002_x.up.sql": { symlink: "../sql/a.sql" },
          "migrations/0002_x.down.sql": "SELECT 1;\n",
        },
      });
      const head = repo.commit({
        parent: b,
        files: { "migrations/0002_x.up.sql": { symlink: "../sql/b.sql" } },
      });
      return { repo, number: repo.openPullRequest({ number: 2, base: "master", head }) };
    });
  });

  test("a submodule at a migration path, bumped (MODIFIED)", async () => {
    await heldAsRest((fake) => {
      const r = helloWorld(fake, mergedMigrations(1), {});
      const b = r.repo.commit({
        branch: "master",
        files: { "migrations/0002_x.up.sql": { submodule: "1".repeat(40) } },
      });
      const head = r.repo.commit({
        parent: b,
        files: {
          "migrations/0002_x.up.sql": { submodule: "2".repeat(40) },
          "migrations/0003_y.up.sql": "DROP TABLE t1;\n",
          "migrations/0003_y.down.sql": "SELECT 1;\n",
        },
      });
      return { repo: r.repo, number: r.repo.openPullRequest({ number: 3, base: "master", head }) };
    });
  });

  test("a merged migration turned into a directory (DELETED, and ADDED files below it)", async () => {
    await heldAsRest((fake) =>
      helloWorld(fake, mergedMigrations(2), {
        "migrations/0002_t2.up.sql": null,
        "migrations/0002_t2.up.sql/x.sql": "DROP TABLE t1;\n",
      }),
    );
  });

  test("a new migration added as an executable file (mode 100755) next to a DROP", async () => {
    const checks = await heldAsRest((fake) =>
      helloWorld(fake, mergedMigrations(1), {
        "migrations/0002_x.up.sql": { content: "DROP TABLE t1;\n", mode: "100755" },
        "migrations/0002_x.down.sql": "SELECT 1;\n",
      }),
    );
    expect(JSON.stringify(checks[0])).toContain("drop-table");
  });
});
