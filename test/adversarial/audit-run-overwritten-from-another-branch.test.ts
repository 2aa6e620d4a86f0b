/**
 * Adversarial reproduction against the push audit: the audit's verdict on a commit is whatever
 * run came last, from whichever branch. The test asserts the SAFE outcome, so it fails while the
 * hole is open.
 */
import { describe, expect, test } from "@jest/globals";
import { type Harness, useHarness } from "../github/harness.js";
import { AUDIT, dbaConfig, dbaRepository, push } from "../github/repositories.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

const POLICY = (dirs: string[], branches: string[]) =>
  dbaConfig(dirs, `audit:\n  branches: [${branches.join(", ")}]\n`);

describe("an audit failure on a commit turned into success by a push to another branch", () => {
  /**
   * 1. Mallory pushes X to master: X edits the merged 0001_t1.up.sql (and, harmlessly for the
   *    master audit, lists one more directory `other` and one more audited branch `sidecar`).
   *    The audit fails on X, as it should.
   * 2. Mallory creates `sidecar` at W: master's parent + a policy listing only `other` and
   *    auditing `sidecar`. Creating it is audited against master's policy (which does not cover
   *    sidecar): nothing written.
   * 3. Mallory force-pushes sidecar from W to X. That push is judged with W's policy (read from
   *    before the push): only `other` is a migration directory, so the edit is not seen; the
   *    policy change W → X only adds a directory and a branch; nothing is dropped under `other`.
   *    The audit writes success on X.
   * Both runs are `migration-warden/audit` of this app on X; GitHub shows (and branch rules read)
   * the latest, so master's tip now says the push was fine.
   */
  test("the latest audit run on master's tip still reports the altered migration", async () => {
    const { repo, master: p } = dbaRepository(
      h.fake,
      "Adv-Overwrite-1",
      POLICY(["migrations"], ["master"]),
    );

    const x = repo.commit({
      parent: p,
      author: "mallory",
      files: {
        "migrations/0001_t1.up.sql": "CREATE TABLE t1 (id bigint PRIMARY KEY); DROP TABLE users;\n",
        ".github/migration-warden.yml": POLICY(["migrations", "other"], ["master", "sidecar"]),
      },
    });
    await push(h, repo, "master", x);
    const onX = () => h.runs(AUDIT).filter((r) => r.head_sha === x);
    expect(onX().map((r) => r.conclusion)).toEqual(["failure"]);

    const w = repo.commit({
      parent: p,
      files: { ".github/migration-warden.yml": POLICY(["other"], ["sidecar"]) },
    });
    await push(h, repo, "sidecar", w);
    await push(h, repo, "sidecar", x, { forced: true });

    // Safe outcome: what GitHub shows for X (the latest run of the name) is still the failure.
    expect(onX().at(-1)?.conclusion).toBe("failure");
  });
});
