/**
 * The race of app-lint-group-concurrent-unlisted-sibling.test.ts on the check that shares the
 * lint run's head group: the approval run (approval/head-group.ts). #2 into release-1 needs no
 * approval there; #3 into release-2 needs a DBA's. The default branch's tip is the head, so
 * GitHub lists neither for the commit; both evaluated at once, #3's first: #2's evaluation never
 * saw #3, and its pass, created after #3's block, is what branch protection on release-2 reads.
 */
import { describe, expect, test } from "@jest/globals";
import { APPROVAL, harnessesPerTest, type Harness } from "../github/harness.js";
import {
  ADD_COLUMN,
  defaultTipIntoTwoReleases,
  evaluatedAtOnce,
  headConfig,
} from "../github/shared-head.js";

const harness = harnessesPerTest();
let h: Harness;

const rules = "rules:\n  require-lock-timeout: off\n";
const NONE = headConfig(rules);
const DBA = headConfig(rules, "  teams: [dba]\n");

function world() {
  h.fake.setTeamMembership("Codertocat", "dba", "alice", "active");
  return defaultTipIntoTwoReleases(
    h,
    "Group-Approval-Race",
    { release1: NONE, release2: DBA },
    ADD_COLUMN,
  );
}

describe.each([
  ["quick", 60_000],
  ["slow", 0],
])(
  "the approval run of two pull requests evaluated at once, neither listed (%s writes)",
  (_, pendingAfterMs) => {
    test("the pass of the one needing no approval does not stay over the other's block", async () => {
      h = await harness({ app: { replay: false, pendingAfterMs } });
      const { repo, head } = world();
      await evaluatedAtOnce(h, repo, 3, 2);

      const runs = h.runs(APPROVAL).filter((r) => r.head_sha === head);
      expect(runs.map((r) => r.conclusion)).toContain("action_required");
      expect(runs.at(-1)!.conclusion).not.toBe("success");
    });
  },
);
