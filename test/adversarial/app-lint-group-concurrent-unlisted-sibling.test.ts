/**
 * Attack on the lint run of a head shared by two pull requests (checks/lint.ts, approval/
 * head-group.ts): the group is what GitHub lists for the commit plus the pull requests this app's
 * runs on it name. GitHub's listing of a commit already on the default branch holds only its
 * merged pull request, so for such a head the group is only what the runs name. Both pull
 * requests opened at once (one API script): B's evaluation (into the strict release-2) starts
 * first, A's (into the lenient release-1) right after, before B wrote anything. A's group is [A]:
 * it passes. B writes its failure, then A its pass: A started later, so no registry or marker
 * calls A's pass stale, and GitHub shows lint passing on the head branch protection on release-2
 * reads, though the head was never checked as proposed there after B's failure. Both write paths:
 * quick (one completed create each: checks/write.ts) and slow (runs in_progress first, completed
 * at the end: checks/write-slow.ts; `pendingAfterMs: 0` takes it without the replay).
 */
import { describe, expect, test } from "@jest/globals";
import { harnessesPerTest, LINT, type Harness } from "../github/harness.js";
import {
  defaultTipIntoTwoReleases,
  DROP_TABLE,
  evaluatedAtOnce,
  LENIENT,
  STRICT,
} from "../github/shared-head.js";

const harness = harnessesPerTest();
let h: Harness;

/** The default branch's tip drops a table; #2 proposes it to release-1, #3 to release-2. */
const world = () =>
  defaultTipIntoTwoReleases(h, "Group-Race", { release1: LENIENT, release2: STRICT }, DROP_TABLE);

describe.each([
  ["quick", 60_000],
  ["slow", 0],
])(
  "two pull requests of one head evaluated at once, neither listed (%s writes)",
  (_, pendingAfterMs) => {
    test("the later-started one's pass does not stay over the other's failure", async () => {
      h = await harness({ app: { replay: false, pendingAfterMs } });
      const { repo, head } = world();
      // B's evaluation first; A's starts after it, reads while B has written nothing.
      await evaluatedAtOnce(h, repo, 3, 2);

      const runs = h.runs(LINT).filter((r) => r.head_sha === head);
      expect(runs.map((r) => [r.external_id, r.conclusion])).toContainEqual([
        expect.stringMatching(/#3$/),
        "failure",
      ]);
      // What branch protection on release-2 reads: the newest lint run on the head.
      expect(runs.at(-1)!.conclusion).not.toBe("success");
    });
  },
);
