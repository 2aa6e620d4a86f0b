/**
 * The check-run mutation names its repository by node id (batch-create.ts repositoryId), where
 * the REST create named it by owner/name. In a fork network with the app installed on both sides,
 * one head sha is the head of a pull request in each repository: the attacker's fork, whose base
 * configuration asks for no approval, and the upstream one, which asks a DBA. The fork's
 * evaluation passes. Its pass must land in the fork alone, and the upstream evaluation's block in
 * the upstream repository: a repositoryId of the other repository would put the pass where the
 * upstream's branch protection reads it, or the block where nobody does.
 */
import { describe, expect, test } from "@jest/globals";
import { DEFAULT_PENDING_AFTER_MS } from "../../src/github/review.js";
import type { FakeCheckRun } from "../support/fake-github.mjs";
import {
  APPROVAL,
  type Harness,
  mergedMigrations,
  mutationCreates,
  pullRequestEvent,
  useHarness,
} from "../github/harness.js";

let h: Harness;
// Quick results: written by the mutation.
useHarness((created) => (h = created), {
  app: { pendingAfterMs: 20 * DEFAULT_PENDING_AFTER_MS, replay: false },
});

const config = (approval: string) =>
  `directories:\n  - path: migrations\n    dialect: postgres\napproval:\n${approval}`;

describe("one head in a fork network, written by the mutation", () => {
  test("the fork's pass stays in the fork; the upstream shows its own block", async () => {
    const upstream = h.fake.createRepo("Codertocat", "Hello-World", { defaultBranch: "master" });
    const fork = h.fake.createRepo("forker", "Hello-World", { fork: true });
    const base = upstream.commit({
      branch: "master",
      files: { ".github/migration-warden.yml": config("  teams: [dba]\n"), ...mergedMigrations(1) },
    });
    // The fork's own base asks for nobody.
    const forkBase = fork.commit({
      branch: "main",
      parent: base,
      files: { ".github/migration-warden.yml": config("  required: never\n") },
    });
    const head = fork.commit({
      branch: "feature",
      parent: forkBase,
      files: {
        "migrations/0002_audit.up.sql": "CREATE TABLE audit (id bigint PRIMARY KEY);\n",
        "migrations/0002_audit.down.sql": "DROP TABLE audit;\n",
      },
      author: "dev",
    });
    const up = upstream.openPullRequest({
      number: 2,
      base: "master",
      head,
      headRepo: fork,
      user: "dev",
    });
    const own = fork.openPullRequest({ number: 1, base: "main", head, user: "dev" });
    h.fake.setTeamMembership("Codertocat", "dba", "alice", "active");

    h.fake.clearRequests();
    await h.receive("pull_request", pullRequestEvent("opened", upstream, up));
    await h.receive("pull_request", pullRequestEvent("opened", fork, own));

    const written = h.fake.requests.flatMap((r) => mutationCreates(h.fake, r));
    expect(written.length).toBeGreaterThan(0);
    const newestIn = (repo: typeof upstream): FakeCheckRun =>
      h
        .runs(APPROVAL)
        .filter((r) => r.repo === repo)
        .reduce((a, r) => (r.id > a.id ? r : a));
    // The fork's evaluation did pass (its base asks for nobody): the pass exists, in the fork.
    expect(newestIn(fork).conclusion).toBe("success");
    expect(newestIn(upstream).conclusion).not.toBe("success");
    expect(
      h.runs(APPROVAL).filter((r) => r.repo === upstream && r.conclusion === "success"),
    ).toEqual([]);
    // Each event's runs in its own repository.
    expect(written.filter((c) => c.body.name === APPROVAL).map((c) => c.path)).toEqual([
      "/repos/Codertocat/Hello-World/check-runs",
      "/repos/forker/Hello-World/check-runs",
    ]);
  });
});
