/**
 * Attack on the lint run of a merge group's head (merge-group.ts) through a pull request whose head
 * is that commit: check runs belong to commits, and the merge queue of `release-2` waits for lint
 * on the group's head. The group of #3 (drops a table) fails there. The author opens #4 from the
 * queue's branch (`gh-readonly-queue/release-2/…`, a branch of the repository like any other)
 * into the lenient `release-1`: #4's evaluation lints the same commit as proposed there, passes,
 * and its run, the newest of the name on the commit, is what the queue reads. The pull request's
 * head group (approval/head-group.ts) holds pull requests only: the merge group's run names a
 * base branch, not a pull request, so nothing weighed it. The approval run on the group's head,
 * which the queue reads too, the same way.
 */
import { describe, expect, test } from "@jest/globals";
import {
  APPROVAL,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";
import { groupEvent } from "../github/repositories.js";
import { ADD_COLUMN, DROP_TABLE, LENIENT, STRICT } from "../github/shared-head.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false, pendingAfterMs: 60_000 } });

/**
 * master and release-1 lenient, release-2 with `release2` as its config; #3 (`files` on
 * release-2) enters release-2's merge queue and its group is evaluated. `reuse()` then opens #4
 * from the queue's branch (head: the group's commit) into release-1 and sends its event.
 */
async function queuedThenReused(
  name: string,
  release2: string,
  files: Record<string, string>,
  check: string,
) {
  const repo = h.fake.createRepo("Codertocat", name, { defaultBranch: "master" });
  const base = repo.commit({
    branch: "master",
    files: { ".github/migration-warden.yml": LENIENT, ...mergedMigrations(1) },
  });
  repo.branches.set("release-1", base);
  const tip = repo.commit({
    branch: "release-2",
    parent: base,
    files: { ".github/migration-warden.yml": release2 },
  });
  const head = repo.commit({ parent: tip, files });
  repo.openPullRequest({ number: 3, base: "release-2", head, headRef: "change" });
  const entry = repo.enqueue(3);
  await h.receive("merge_group", groupEvent(repo, entry));
  const reuse = async () => {
    repo.openPullRequest({
      number: 4,
      base: "release-1",
      head: entry.headSha,
      headRef: entry.payload.head_ref.slice("refs/heads/".length),
    });
    await h.receive("pull_request", pullRequestEvent("opened", repo, 4));
  };
  /** The runs of `check` on the group's head, oldest first: the newest is what the queue reads. */
  const onGroup = () => h.runs(check).filter((r) => r.head_sha === entry.headSha);
  return { reuse, onGroup };
}

describe("a pull request whose head is a merge group's head", () => {
  test("its pass does not stay over the merge group's lint failure", async () => {
    const { reuse, onGroup } = await queuedThenReused("Queue-Head", STRICT, DROP_TABLE, LINT);
    expect(onGroup().at(-1)!.conclusion).toBe("failure");
    await reuse();
    // What the merge queue of release-2 reads: the newest lint run on the group's head.
    expect(onGroup().at(-1)!.conclusion).not.toBe("success");
  });

  test("its approval pass does not stay over the merge group's approval block", async () => {
    h.fake.setTeamMembership("Codertocat", "dba", "alice", "active");
    const dba = LENIENT.replace("required: never", "teams: [dba]");
    const { reuse, onGroup } = await queuedThenReused("Queue-Approval", dba, ADD_COLUMN, APPROVAL);
    expect(onGroup().at(-1)!.conclusion).not.toBe("success");
    await reuse();
    expect(onGroup().length).toBeGreaterThan(1);
    expect(onGroup().at(-1)!.conclusion).not.toBe("success");
  });
});
