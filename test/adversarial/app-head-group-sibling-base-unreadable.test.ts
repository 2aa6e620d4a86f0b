/**
 * Attack on the head group (approval/head-group.ts) through the other pull request's base: #2
 * proposes the head to the lenient release-1, #3 the same head to release-2, whose configuration
 * cannot be read as a policy (deleted under the open pull request, a file over the size limit, a
 * file that is not valid). Check runs belong to the commit, so neither lint nor approval may pass
 * on #2's event: branch protection on release-2 reads them for #3. (Lint alone with an invalid
 * file is in app-lint-shared-head.test.ts; this adds the approval check and the other two ways.)
 */
import { describe, expect, test } from "@jest/globals";
import { MAX_CONFIG_BYTES } from "../../src/config/load.js";
import {
  APPROVAL,
  harnessesPerTest,
  LINT,
  pullRequestEvent,
  type Harness,
} from "../github/harness.js";
import { DROP_TABLE, LENIENT, twoReleases } from "../github/shared-head.js";
import type { FakeRepo } from "../support/fake-github.mjs";

const harness = harnessesPerTest();
let h: Harness;

/** release-1 lenient, release-2 `release2`; the head (not on master) drops a table. */
function world(name: string): { repo: FakeRepo; head: string } {
  const { repo, base } = twoReleases(h, name);
  const head = repo.commit({ branch: "feature", parent: base, files: DROP_TABLE });
  repo.openPullRequest({ number: 2, base: "release-1", head });
  repo.openPullRequest({ number: 3, base: "release-2", head });
  return { repo, head };
}

const newest = (name: string, head: string) =>
  h
    .runs(name)
    .filter((r) => r.head_sha === head)
    .at(-1)!;

describe("#3's base cannot give a policy: #2's event passes neither check", () => {
  test.each([
    [
      "a configuration over the size limit",
      (repo: FakeRepo) =>
        repo.commit({
          branch: "release-2",
          files: {
            ".github/migration-warden.yml": `${LENIENT}# ${"x".repeat(MAX_CONFIG_BYTES)}\n`,
          },
        }),
    ],
    [
      "an invalid configuration",
      (repo: FakeRepo) =>
        repo.commit({
          branch: "release-2",
          files: { ".github/migration-warden.yml": "approval:\n  required: sometimes\n" },
        }),
    ],
    ["the base branch deleted under it", (repo: FakeRepo) => repo.branches.delete("release-2")],
  ])("%s", async (what, spoil) => {
    h = await harness({ app: { replay: false } });
    const { repo, head } = world(`Spoiled-${what.length}`);
    spoil(repo);
    await h.receive("pull_request", pullRequestEvent("opened", repo, 2));
    // The group could not be read (a branch gone), or #3's member says why it cannot pass.
    const why = what.includes("deleted")
      ? ["Could not check this pull request", "Could not check this pull request"]
      : [
          "#3 into release-2: Invalid configuration on release-2",
          "#3: Approval could not be evaluated",
        ];
    expect(
      [LINT, APPROVAL].map((n) => [newest(n, head).conclusion, newest(n, head).output.title]),
    ).toEqual([
      ["failure", why[0]],
      ["failure", why[1]],
    ]);
  });
});
