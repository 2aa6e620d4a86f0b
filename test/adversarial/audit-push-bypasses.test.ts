/**
 * Adversarial reproductions against the push audit (`migration-warden/audit`, issue 12 §2).
 * Each test asserts the SAFE outcome; it failed before the fix (docs/security.md).
 */
import { describe, expect, test } from "@jest/globals";
import { type Harness, useHarness } from "../github/harness.js";
import { AUDIT, dbaConfig, dbaRepository, push } from "../github/repositories.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const CONFIG = (more = "") => dbaConfig(["migrations"], more);
let repoCount = 0;

function repository(config = CONFIG()) {
  return dbaRepository(h.fake, `Adv-Audit-${++repoCount}`, config);
}

describe("push audit bypasses", () => {
  /**
   * An audited release branch holds a merged migration the default branch does not have (a
   * hotfix). An admin deletes the branch (a `deleted: true` push: the audit returns at once) and
   * pushes it again without the migration (a `created` push: compared with its merge base with
   * the default branch, where the migration never was). The migration history of an audited
   * branch is rewritten exactly as a force push would, yet the audit writes nothing at all.
   */
  test("deleting and re-creating an audited branch drops its migration history without any audit", async () => {
    const { repo, master } = repository(CONFIG('audit:\n  branches: [master, "release/*"]\n'));
    const hotfix = repo.commit({
      parent: master,
      files: {
        "migrations/0002_hotfix.up.sql": "ALTER TABLE t1 ADD COLUMN note text;\n",
        "migrations/0002_hotfix.down.sql": "ALTER TABLE t1 DROP COLUMN note;\n",
      },
    });
    repo.branches.set("release/1", hotfix); // the hotfix is merged on the release branch

    // The same rewrite by a force push is caught (control).
    const rewound = repo.commit({ parent: master, files: { "README.md": "rewound\n" } });
    await push(h, repo, "release/1", rewound, { forced: true });
    const forced = h.runs(AUDIT).find((r) => r.head_sha === rewound);
    expect(forced?.conclusion).toBe("failure");

    // Back to the hotfix, then delete + re-create instead of force pushing.
    repo.branches.set("release/1", hotfix);
    const recreated = repo.commit({ parent: master, files: { "README.md": "recreated\n" } });
    const before = h.runs(AUDIT).length;
    await push(h, repo, "release/1", null); // delete
    await push(h, repo, "release/1", recreated); // create
    const written = h.runs(AUDIT).slice(before);
    // Safe outcome: the dropped migration is reported as rewritten history (failure).
    expect(written.map((r) => r.conclusion)).toContain("failure");
  });

  /**
   * One direct push adds a directory to `.github/migration-warden.yml` and, in the same push,
   * migration files in it that nobody approved (here a DROP TABLE). The audit reads the
   * configuration from before the push, so the new directory is not audited; the policy change
   * "added db/extra" does not weaken the gate, so the audit says success. From then on the files
   * are merged history of a configured directory: every later pull request treats them as
   * applied, and they deploy without a DBA having seen them.
   */
  test("a push that adds a directory to the config together with unapproved migrations in it", async () => {
    const { repo, master } = repository();
    const c = repo.commit({
      parent: master,
      author: "mallory",
      files: {
        ".github/migration-warden.yml":
          "directories:\n  - path: migrations\n    dialect: postgres\n  - path: db/extra\n    dialect: postgres\napproval:\n  teams: [dba]\n",
        "db/extra/0001_drop.up.sql": "DROP TABLE t1;\n",
        "db/extra/0001_drop.down.sql": "SELECT 1;\n",
      },
    });
    await push(h, repo, "master", c);
    const run = h.runs(AUDIT).find((r) => r.head_sha === c);
    expect(run).toBeDefined();
    // Safe outcome: the content of the newly configured directory is uncovered → failure.
    expect(run!.conclusion).toBe("failure");
  });

  /**
   * `audit.issue: true`: the app looks for its issue among open issues opened by ANY bot whose
   * body starts with the marker (docs/security.md says "opened by a bot"; the code's comment says
   * "this app opened"). Another bot account, e.g. github-actions[bot] driven by a workflow any
   * writer can change, plants an issue with the marker, a reassuring title and a body of its own;
   * the app then files its findings there instead of opening its own issue, and the planting bot
   * can rewrite or close it at will.
   */
  test("an issue planted by another bot with the marker receives the audit's findings", async () => {
    const { repo, master } = repository(CONFIG("audit:\n  issue: true\n"));
    const planted = repo.addIssue({
      title: "Resolved: migration audit false positive, ignore",
      body: "<!-- migration-warden/audit branch=master -->\nNothing to see.",
      user: "github-actions[bot]",
      type: "Bot",
    });
    const a = repo.commit({
      parent: master,
      files: { "migrations/0001_t1.up.sql": "DROP TABLE x;\n" },
    });
    await push(h, repo, "master", a);
    expect(h.runs(AUDIT).find((r) => r.head_sha === a)?.conclusion).toBe("failure");
    // Safe outcome: the planted issue is left alone; the app writes its own issue.
    expect(planted.body).toBe("<!-- migration-warden/audit branch=master -->\nNothing to see.");
    expect(repo.issues.filter((i) => i.user === "migration-warden[bot]")).toHaveLength(1);
  });
});
