/**
 * An app (a `[bot]` account) is never a DBA. Apps can submit pull request reviews (an installed
 * app with pull requests write, or GitHub Actions' GITHUB_TOKEN when the repository lets
 * workflows approve pull requests, which a pull request's own workflow can drive), and the
 * decision counted whatever eligibility GitHub reported for their login: under the admins and
 * maintainers fallback, a repository role for `name[bot]` (an organization's base permission, a
 * future GitHub answer) made a workflow's approval pass the gate. Approvals are a person's:
 * eligibility is refused to apps before any fact is read, and nothing is looked up for them.
 */
import { describe, expect, test } from "@jest/globals";
import { approvalCandidates, decideApproval } from "../../src/core/approval/index.js";
import { button, facts, policy, review } from "../core/approval/facts.js";

const FALLBACK = policy({ teams: [], users: [] });

describe("an app's approval", () => {
  test("does not count under the admins and maintainers fallback, whatever role GitHub reports", () => {
    const d = decideApproval(
      FALLBACK,
      facts({
        reviews: [review("github-actions[bot]", "APPROVED", 1)],
        eligibility: [{ login: "github-actions[bot]", role: "admin" }],
      }),
    );
    expect(d.state).toBe("pending");
    expect(d.approvers).toEqual([]);
    expect(d.notCounted[0]?.reasons.map((r) => r.code)).toEqual(["not-eligible"]);
    expect(d.notCounted[0]?.reasons[0]?.detail).toMatch(/an app/);
  });

  test("does not count as an active member of a DBA team either", () => {
    const d = decideApproval(
      policy(),
      facts({
        reviews: [review("ci[bot]", "APPROVED", 1)],
        eligibility: [{ login: "ci[bot]", teams: { dba: "active" } }],
      }),
    );
    expect(d.state).toBe("pending");
  });

  test("is not looked up: nothing GitHub could say about it matters", () => {
    const candidates = approvalCandidates(FALLBACK, {
      pr: facts().pr,
      reviews: [review("ci[bot]", "APPROVED", 1), review("root", "APPROVED", 2)],
      buttonApprovals: [button("alice", 3)],
    });
    expect(candidates).toEqual(["root", "alice"]);
    // Nothing missing: the decision needs no fact about the app.
    const d = decideApproval(
      FALLBACK,
      facts({
        reviews: [review("ci[bot]", "APPROVED", 1), review("root", "APPROVED", 2)],
        eligibility: [{ login: "root", role: "admin" }],
      }),
    );
    expect(d.state).toBe("approved");
    expect(d.approvers).toEqual(["root"]);
  });

  test("an app's change request does not block (it may not approve)", () => {
    const d = decideApproval(
      FALLBACK,
      facts({
        reviews: [review("ci[bot]", "CHANGES_REQUESTED", 1), review("root", "APPROVED", 2)],
        eligibility: [{ login: "root", role: "admin" }],
      }),
    );
    expect(d.state).toBe("approved");
    expect(d.blockers).toEqual([]);
  });
});
