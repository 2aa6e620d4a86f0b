/**
 * Attack on the head group (approval/head-group.ts, open-pulls.ts) when an event never reached the
 * app: check runs belong to the commit, and the group is GitHub's commit association plus the pull
 * requests this app's runs name. For a commit already on the default branch the association lists
 * only the merged pull request that introduced it; if #3's event was lost (the app down, or
 * installed after #3 was opened) no run names #3 either. #2's event into the lenient release-1
 * then wrote a lint (or approval) pass on the head, which branch protection on release-2 reads for
 * #3. Where the association cannot be trusted (it does not list the evaluated pull request, or the
 * head is on the default branch) the app lists the repository's open pull requests.
 */
import { describe, expect, test } from "@jest/globals";
import type { FakeRepo } from "../support/fake-github.mjs";
import {
  APPROVAL,
  harnessesPerTest,
  LINT,
  mergedMigrations,
  pullRequestEvent,
  type Harness,
} from "../github/harness.js";
import {
  ADD_COLUMN,
  defaultTipIntoTwoReleases,
  DROP_TABLE,
  headConfig,
  LENIENT,
  STRICT,
} from "../github/shared-head.js";
import { MAX_OPEN_PULL_PAGES, OPEN_PULLS_QUERY } from "../../src/github/open-pulls.js";

const harness = harnessesPerTest();
let h: Harness;

/** Lint passes the table drop under both; release-2 requires a DBA's approval. */
const NEEDS_DBA = headConfig(
  "rules:\n  drop-table: off\n  require-lock-timeout: off\n",
  "  teams: [dba]\n",
);

const newest = (name: string, head: string) =>
  h
    .runs(name)
    .filter((r) => r.head_sha === head)
    .at(-1)!;
/** The listings of every open pull request the app sent. */
const listings = () =>
  h.fake.requests.filter(
    (r) =>
      r.path === "/graphql" &&
      String((r.body as { query?: string })?.query).includes("MigrationWardenOpenPulls"),
  ).length;

async function onlyTwoDelivered(repo: FakeRepo): Promise<void> {
  await h.receive("pull_request", pullRequestEvent("opened", repo, 2));
}

describe("the default branch's tip proposed to two releases, #3's event lost", () => {
  test("lint: #2's pass does not stand for #3 into the strict release-2", async () => {
    h = await harness({ app: { replay: false } });
    const { repo, head } = defaultTipIntoTwoReleases(
      h,
      "Lost-Lint",
      { release1: LENIENT, release2: STRICT },
      DROP_TABLE,
    );
    await onlyTwoDelivered(repo);
    const shown = newest(LINT, head);
    expect(shown.conclusion).toBe("failure");
    expect(shown.output.summary).toContain("#3 into `release-2`");
    expect(listings()).toBe(1);
  });

  test("approval: #2's pass does not stand for #3, which needs a DBA", async () => {
    h = await harness({ app: { replay: false } });
    const { repo, head } = defaultTipIntoTwoReleases(
      h,
      "Lost-Approval",
      { release1: LENIENT, release2: NEEDS_DBA },
      DROP_TABLE,
    );
    await onlyTwoDelivered(repo);
    expect(newest(LINT, head).conclusion).toBe("success");
    const shown = newest(APPROVAL, head);
    expect(shown.conclusion).toBe("action_required");
    expect(shown.output.title).toMatch(/^#3: Waiting for DBA approval/);
    expect(shown.external_id).toMatch(/;pr=2,3;/);
  });

  test("a closed pull request with the same head is left out", async () => {
    h = await harness({ app: { replay: false } });
    const { repo, head } = defaultTipIntoTwoReleases(
      h,
      "Lost-Closed",
      { release1: LENIENT, release2: STRICT },
      DROP_TABLE,
    );
    repo.closePullRequest(3);
    await onlyTwoDelivered(repo);
    expect(newest(LINT, head).conclusion).toBe("success");
    expect(newest(APPROVAL, head).conclusion).toBe("success");
  });

  test("a fork's pull request into release-2 with the same head counts", async () => {
    h = await harness({ app: { replay: false } });
    const { repo, head } = defaultTipIntoTwoReleases(
      h,
      "Lost-Fork",
      { release1: LENIENT, release2: STRICT },
      DROP_TABLE,
    );
    repo.closePullRequest(3);
    const fork = h.fake.createRepo("mallory", "Lost-Fork", { fork: true });
    fork.branches.set("tip", head);
    repo.openPullRequest({ number: 4, base: "release-2", head, headRepo: fork, user: "mallory" });
    // And a pull request of the fork (based there) on the same commit: the fork's, not counted.
    fork.branches.set("main", repo.branches.get("release-2")!);
    fork.openPullRequest({ number: 5, base: "main", head, headRepo: repo });
    await onlyTwoDelivered(repo);
    expect(newest(LINT, head).conclusion).toBe("failure");
    expect(newest(LINT, head).output.summary).toContain("#4 into `release-2`");
    expect(newest(APPROVAL, head).external_id).toMatch(/;pr=2,4;/);
  });

  test(`more than ${MAX_OPEN_PULL_PAGES * 100} open pull requests: both checks fail, saying why`, async () => {
    h = await harness({ app: { replay: false } });
    const { repo, head } = defaultTipIntoTwoReleases(
      h,
      "Lost-Many",
      { release1: LENIENT, release2: LENIENT },
      ADD_COLUMN,
    );
    repo.closePullRequest(3);
    const other = repo.commit({ branch: "other", parent: head, files: { "README.md": "x\n" } });
    for (let n = 10; n < 10 + MAX_OPEN_PULL_PAGES * 100; n++)
      repo.openPullRequest({ number: n, base: "release-1", head: other });
    await onlyTwoDelivered(repo);
    for (const name of [LINT, APPROVAL]) {
      const shown = newest(name, head);
      expect(shown.conclusion).toBe("failure");
      expect(shown.output.summary).toContain(
        `more than ${MAX_OPEN_PULL_PAGES * 100} open pull requests`,
      );
    }
    expect(listings()).toBe(MAX_OPEN_PULL_PAGES);
  });

  test("the listing fails: both checks fail, saying why", async () => {
    h = await harness({ app: { replay: false } });
    const { repo, head } = defaultTipIntoTwoReleases(
      h,
      "Lost-Failing",
      { release1: LENIENT, release2: LENIENT },
      ADD_COLUMN,
    );
    repo.closePullRequest(3);
    h.fake.graphqlFault({ executed: true, fieldError: "pullRequests", times: 100 });
    await onlyTwoDelivered(repo);
    for (const name of [LINT, APPROVAL]) {
      const shown = newest(name, head);
      expect(shown.conclusion).toBe("failure");
      expect(shown.output.summary).toContain("could not be listed");
    }
  });
});

describe("the head moved onto the default branch after the pull requests were opened", () => {
  test("#1 merged it into the default branch; only #2's event arrives: #3 still counts", async () => {
    h = await harness({ app: { replay: false } });
    const repo = h.fake.createRepo("Codertocat", "Moved", { defaultBranch: "master" });
    const base = repo.commit({
      branch: "release-1",
      files: { ".github/migration-warden.yml": LENIENT, ...mergedMigrations(1) },
    });
    repo.commit({
      branch: "release-2",
      parent: base,
      files: { ".github/migration-warden.yml": STRICT },
    });
    repo.branches.set("master", base);
    const head = repo.commit({ branch: "feature", parent: base, files: DROP_TABLE });
    repo.openPullRequest({ number: 1, base: "master", head });
    repo.openPullRequest({ number: 2, base: "release-1", head });
    repo.openPullRequest({ number: 3, base: "release-2", head });
    repo.mergePullRequest(1);
    await onlyTwoDelivered(repo);
    expect(newest(LINT, head).conclusion).toBe("failure");
    expect(newest(LINT, head).output.summary).toContain("#3 into `release-2`");
  });
});

describe("cost", () => {
  test.each(["master", "release"])(
    "a head not on the default branch, a pull request into %s: nothing more is listed",
    async (into) => {
      h = await harness({ app: { replay: false } });
      const repo = h.fake.createRepo("Codertocat", "Trusted", { defaultBranch: "master" });
      const base = repo.commit({
        branch: "master",
        files: { ".github/migration-warden.yml": LENIENT, ...mergedMigrations(1) },
      });
      repo.branches.set("release", base);
      const head = repo.commit({ branch: "feature", parent: base, files: ADD_COLUMN });
      repo.openPullRequest({ number: 2, base: into, head });
      await onlyTwoDelivered(repo);
      // A notice (the down migration drops the column): neutral, passing branch protection.
      expect(newest(LINT, head).conclusion).toBe("neutral");
      expect(newest(APPROVAL, head).conclusion).toBe("success");
      expect(listings()).toBe(0);
      expect(OPEN_PULLS_QUERY).toContain("states: OPEN");
    },
  );
});
