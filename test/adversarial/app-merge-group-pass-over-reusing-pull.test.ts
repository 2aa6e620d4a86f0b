/**
 * Attack on the runs of a merge group's head (merge-group.ts, checks/write-commit.ts) from the
 * other side of app-lint-group-merge-queue-head-reused: a pull request whose head is the group's
 * commit, into a stricter base. Check runs belong to commits, and branch protection on that base
 * reads the newest run of each name on the commit, whichever evaluation wrote it.
 *
 * #3 (drops a table) enters the merge queue of the lenient release-1 and its group passes. The
 * author opens #4 from the queue's branch (`gh-readonly-queue/release-1/…`, a branch like any
 * other) into the strict release-2: #4's evaluation blocks, its runs the newest on the commit. The
 * group is still queued (the queue waits for every required check), so the author clicks Re-run
 * on the group's run (or Re-run all on its suite): the group's pass is written again, now the
 * newest run, and branch protection on release-2 reads it for #4.
 */
import { describe, expect, test } from "@jest/globals";
import {
  APPROVAL,
  example,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
  useHarness,
} from "../github/harness.js";
import { groupEvent } from "../github/repositories.js";
import {
  ADD_COLUMN,
  DROP_TABLE,
  headConfig,
  LENIENT,
  STRICT,
  twoReleases,
} from "../github/shared-head.js";

let h: Harness;
useHarness((created) => (h = created), { app: { replay: false } });

/** The strict base's approval: a DBA for any migration change. */
const NEEDS_DBA = headConfig("", "  teams: [dba]\n");

/**
 * master and release-1 lenient, release-2 with `release2` as its config; #3 (`files` on
 * release-1) is queued into release-1 and its group evaluated; #4 opens from the queue's branch
 * into release-2 and is evaluated.
 */
async function reusedIntoStricter(name: string, release2: string, files: Record<string, string>) {
  const { repo, base } = twoReleases(h, name, release2);
  const head = repo.commit({ parent: base, files });
  repo.openPullRequest({ number: 3, base: "release-1", head, headRef: "change" });
  await h.receive("pull_request", pullRequestEvent("opened", repo, 3));
  const entry = repo.enqueue(3);
  await h.receive("merge_group", groupEvent(repo, entry));
  repo.openPullRequest({
    number: 4,
    base: "release-2",
    head: entry.headSha,
    headRef: entry.payload.head_ref.slice("refs/heads/".length),
  });
  await h.receive("pull_request", pullRequestEvent("opened", repo, 4));
  /** The newest run of `check` on the group's head: what branch protection reads for #4. */
  const shown = (check: string) =>
    h
      .runs(check)
      .filter((r) => r.head_sha === entry.headSha)
      .at(-1)!;
  /** Re-run on the group's own run of `check`. */
  const rerunGroup = async (check: string) => {
    const run = h.fake.checkRuns.find(
      (r) => r.name === check && r.head_sha === entry.headSha && r.external_id?.includes("base="),
    )!;
    const rerun = example("check_run", "rerequested");
    rerun.repository = { ...rerun.repository, ...repo.toJSON() };
    rerun.check_run = { ...rerun.check_run, ...h.fake.runJSON(run), pull_requests: [] };
    await h.receive("check_run", rerun);
  };
  return { shown, rerunGroup, entry, repo };
}

describe("a merge group's pass re-run over a pull request of its head into a stricter base", () => {
  test("lint: the group's pass does not stay over #4's failure under release-2", async () => {
    const { shown, rerunGroup } = await reusedIntoStricter("Group-Over-Lint", STRICT, DROP_TABLE);
    expect(shown(LINT).conclusion).toBe("failure");
    await rerunGroup(LINT);
    expect(shown(LINT).conclusion).not.toBe("success");
  });

  test("approval: the group's pass does not stay over #4 waiting for a DBA", async () => {
    const { shown, rerunGroup } = await reusedIntoStricter(
      "Group-Over-Approval",
      NEEDS_DBA,
      ADD_COLUMN,
    );
    expect(shown(APPROVAL).conclusion).toBe("action_required");
    await rerunGroup(APPROVAL);
    expect(shown(APPROVAL).conclusion).not.toBe("success");
  });

  test("#4 closed: its old block no longer fails the group's next evaluation", async () => {
    const { shown, rerunGroup, repo } = await reusedIntoStricter(
      "Group-Closed",
      STRICT,
      DROP_TABLE,
    );
    expect(shown(LINT).conclusion).toBe("failure");
    repo.closePullRequest(4);
    await rerunGroup(LINT);
    expect(shown(LINT).conclusion).toBe("success");
  });

  test("the look after writing cannot list the runs: the group's passes end as failure", async () => {
    const repo = h.fake.createRepo("Codertocat", "Group-Unlisted", { defaultBranch: "master" });
    const base = repo.commit({
      branch: "master",
      files: { ".github/migration-warden.yml": LENIENT, ...mergedMigrations(1) },
    });
    const head = repo.commit({ parent: base, files: ADD_COLUMN });
    repo.openPullRequest({ number: 3, base: "master", head, headRef: "change" });
    await h.receive("pull_request", pullRequestEvent("opened", repo, 3));
    const entry = repo.enqueue(3);
    h.fake.failNext({
      method: "GET",
      path: new RegExp(`/commits/${entry.headSha}/check-runs$`),
      // The look after writing: every run of the app, of any name (the gather's reads name one).
      match: (r: { query?: Record<string, string> }) =>
        r.query?.app_id !== undefined && r.query?.check_name === undefined,
      status: 502,
      times: 10,
    });
    await h.receive("merge_group", groupEvent(repo, entry));
    const shown = (name: string) =>
      h
        .runs(name)
        .filter((r) => r.head_sha === entry.headSha)
        .at(-1)!;
    expect(shown(LINT).conclusion).toBe("failure");
    expect(shown(LINT).output.summary).toContain("could not be read");
    // The group's approval reads the same listing (clicks on its runs): it fails there already.
    expect(shown(APPROVAL).conclusion).toBe("failure");
  });
});
