/**
 * A review is judged by what the approval check showed on its commit (`ReviewFacts.shown`): from
 * the run the reviewer saw on, every run must carry the commit's digest now, otherwise the
 * migration directories changed since and the review approved other content than it covers.
 */
import { describe, expect, test } from "@jest/globals";
import { decideApproval } from "../../../src/core/approval/decide.js";
import type { ShownRun } from "../../../src/core/approval/types.js";
import { at, D1, D2, facts, member, OLD, policy, review } from "./facts.js";

/** A run of the app on the reviewed commit, created at `minute`, for PR #12 unless told. */
function run(id: number, minute: number | null, digest: string, prs = [12]): ShownRun {
  return { checkRunId: id, at: minute === null ? null : at(minute), digest, pullRequests: prs };
}

/** alice's approval at minute 5 on the head, with these runs shown on it. */
function decide(
  shown: ShownRun[] | undefined,
  over: { commitId?: string; digest?: string; shownCut?: boolean } = {},
) {
  return decideApproval(
    policy(),
    facts({
      reviews: [review("alice", "APPROVED", 5, { ...(shown ? { shown } : {}), ...over })],
      eligibility: [member("alice")],
    }),
  );
}

const codes = (d: ReturnType<typeof decide>) =>
  d.notCounted.flatMap((n) => n.reasons.map((r) => r.code));

describe("a review and the runs shown on its commit", () => {
  test("counts when every run since the one the reviewer saw shows the content it covers", () => {
    expect(decide([run(1, 1, D1), run(2, 6, D1)]).state).toBe("approved");
  });

  test("counts when only runs the reviewer no longer saw showed other content", () => {
    // The settings changed at minute 3; the check showed the new content before the review.
    expect(decide([run(1, 1, D2), run(2, 3, D1), run(3, 7, D1)]).state).toBe("approved");
  });

  test("does not count when the run the reviewer saw showed other content", () => {
    const d = decide([run(1, 1, D2), run(2, 6, D1)]);
    expect(d.state).toBe("pending");
    expect(codes(d)).toEqual(["settings-changed"]);
    expect(d.notCounted[0]!.reasons[0]!.detail).toMatch(
      /^given before the migration directories changed: check run 1 showed other migration content/,
    );
  });

  test("does not count when a run after the review showed other content", () => {
    // The review's own evaluation ran under the old settings; the base changed after it.
    expect(codes(decide([run(1, 1, D1), run(2, 6, D2)]))).toEqual(["settings-changed"]);
  });

  test("a run in the same second as the review is read as created after it", () => {
    expect(codes(decide([run(1, 1, D1), run(2, 5, D2)]))).toEqual(["settings-changed"]);
    expect(decide([run(1, 1, D2), run(2, 5, D1)]).state).toBe("pending");
  });

  test("a run that cannot be placed in time is read as created after it", () => {
    expect(codes(decide([run(1, 3, D1), run(2, null, D2)]))).toEqual(["settings-changed"]);
  });

  test("runs written for other pull requests say nothing about this one", () => {
    expect(decide([run(1, 1, D2, [15]), run(2, 3, D1, [12, 15])]).state).toBe("approved");
  });

  test("a review on an earlier commit is judged by that commit's runs", () => {
    const d = decide([run(1, 1, D2)], { commitId: OLD, digest: D1 });
    expect(codes(d)).toEqual(["settings-changed"]);
    expect(decide([run(1, 1, D1)], { commitId: OLD, digest: D1 }).state).toBe("approved");
  });

  test("runs GitHub may have dropped (as many as it keeps): what was shown is unknown", () => {
    // A thousand re-runs after the base changed would push the runs that showed it out.
    const d = decide([run(1, 6, D1)], { shownCut: true });
    expect(codes(d)).toEqual(["settings-changed"]);
    expect(d.notCounted[0]!.reasons[0]!.detail).toContain("GitHub keeps the newest 1000 runs");
  });

  test("without the runs (not read), the review is judged as before", () => {
    expect(decide(undefined).state).toBe("approved");
    expect(decide([]).state).toBe("approved");
  });
});
