import {
  evaluateButtonClick,
  type ButtonClick,
  type ClickTarget,
} from "../../../src/core/approval/click.js";
import { decideApproval } from "../../../src/core/approval/decide.js";
import {
  baseBinding,
  encodeApprovalRunId,
  readButtonApproval,
} from "../../../src/core/approval/record.js";
import { APPROVAL_CHECK_NAME } from "../../../src/core/approval/types.js";
import { D1, D2, facts, HEAD, member, OLD, policy, review } from "./facts.js";

const APP = 4242;
const NOW = "2024-05-01T11:00:00Z";

/** The record of a run without a click, for pull requests (number → base branch). */
function runId(prs: Record<number, string> = { 12: "main" }, digest = D1): string {
  const pulls = Object.entries(prs).map(([n, baseRef]) => ({ number: Number(n), baseRef }));
  return encodeApprovalRunId({
    pullRequests: pulls.map((p) => p.number),
    digest,
    base: baseBinding(pulls),
    approval: null,
  });
}
const MAIN = baseBinding([{ number: 12, baseRef: "main" }]);

function click(
  over: Partial<ButtonClick> = {},
  runOver: Partial<ButtonClick["run"]> = {},
): ButtonClick {
  return {
    identifier: "approve",
    sender: { login: "alice", type: "User" },
    ownAppId: APP,
    at: NOW,
    // The run appeared the moment it was clicked (click-late tests below set it earlier).
    shownAt: NOW,
    run: {
      id: 500,
      name: APPROVAL_CHECK_NAME,
      appId: APP,
      headSha: HEAD,
      externalId: runId(),
      ...runOver,
    },
    ...over,
  };
}

const target = (over: Parameters<typeof facts>[0] = {}, p = policy()): ClickTarget => ({
  policy: p,
  facts: facts({ eligibility: [member("alice"), member("mallory", "none")], ...over }),
});

describe("evaluateButtonClick", () => {
  test("an eligible DBA's click on the current run is recorded", () => {
    const out = evaluateButtonClick(click(), [target()]);
    expect(out.accepted).toEqual([12]);
    expect(out.rejected).toEqual([]);
    expect(out.approval).toEqual({
      approver: "alice",
      approvedAt: NOW,
      headSha: HEAD,
      digest: D1,
      base: MAIN,
      pullRequests: [12],
    });
    expect(out.externalId).toBe(`mw-approval/2;pr=12;digest=${D1};base=${MAIN};by=alice;at=${NOW}`);

    // What the app writes, it reads back, and the decision then counts it.
    const stored = readButtonApproval(
      { id: 501, name: APPROVAL_CHECK_NAME, appId: APP, headSha: HEAD, externalId: out.externalId },
      APP,
    );
    expect(stored).toEqual({ ok: true, value: { ...out.approval, checkRunId: 501 } });
    if (!stored.ok || !stored.value) throw new Error("unreachable");
    const d = decideApproval(policy(), { ...target().facts, buttonApprovals: [stored.value] });
    expect(d.state).toBe("approved");
    expect(d.counted[0]).toMatchObject({ via: "button", checkRunId: 501, login: "alice" });
  });

  test.each<[string, ButtonClick, ClickTarget[], RegExp]>([
    [
      "a non-DBA with write access",
      click({ sender: { login: "mallory", type: "User" } }),
      [target()],
      /not a member of team dba/,
    ],
    [
      "the PR author who is a DBA",
      click(),
      [target({ pr: { ...facts().pr, author: "alice" } })],
      /opened the pull request/,
    ],
    [
      "a contributor",
      click(),
      [target({ commits: [{ sha: OLD, author: "alice", committer: "alice" }] })],
      /authored, co-authored or committed/,
    ],
    [
      "a run for an older head",
      click({}, { headSha: OLD }),
      [target()],
      /for commit bbbbbbb, but the head of #12 is now aaaaaaa/,
    ],
    [
      "a run whose recorded digest no longer matches",
      click({}, { externalId: runId({ 12: "main" }, D2) }),
      [target()],
      /migration files changed since this check run/,
    ],
    [
      "a run of another app",
      click({}, { appId: 15368 }),
      [target()],
      /ignored: check run 500 was created by app 15368/,
    ],
    [
      "a run with a foreign external_id",
      click({}, { externalId: "ci-build-7" }),
      [target()],
      /ignored: check run 500: not a migration-warden approval record/,
    ],
    [
      "a run of the lint check",
      click({}, { name: "migration-warden/lint" }),
      [target()],
      /not migration-warden\/approval/,
    ],
    [
      "a run without digest (failed evaluation)",
      click({}, { externalId: "mw-approval/2;pr=12" }),
      [target()],
      /no migration digest/,
    ],
    [
      "a run that does not cover the PR",
      click({}, { externalId: runId({ 99: "main" }) }),
      [target()],
      /also covered #99, no longer open with this head commit/,
    ],
    [
      "an unknown action",
      click({ identifier: "approve-all" }),
      [target()],
      /unknown action "approve-all"/,
    ],
    [
      "a bot",
      click({ sender: { login: "ci[bot]", type: "Bot" } }),
      [target()],
      /not a user account/,
    ],
    [
      "a clicker whose review requests changes",
      click(),
      [target({ reviews: [review("alice", "CHANGES_REQUESTED", 1)] })],
      /latest review requests changes/,
    ],
    [
      "an evaluation error",
      click(),
      [target({ errors: ["GET /pulls/12/commits: 500"] })],
      /cannot be evaluated: GET \/pulls\/12\/commits: 500/,
    ],
    [
      "missing eligibility facts for the clicker",
      click({ sender: { login: "zed", type: "User" } }),
      [target()],
      /membership of zed in team dba was not checked/,
    ],
    [
      "a PR that needs no approval",
      click(),
      [
        target({
          report: { ...facts().report, migrationsChanged: false, approvalRequired: false },
        }),
      ],
      /needs no approval/,
    ],
    ["an invalid click time", click({ at: "now" }), [target()], /invalid click time/],
    ["no open pull request", click(), [], /no open pull request/],
  ])("records nothing for %s, and says why", (_name, c, targets, reason) => {
    const out = evaluateButtonClick(c, targets);
    expect(out.accepted).toEqual([]);
    expect(out.approval).toBeNull();
    expect(out.externalId).toBeNull();
    expect(out.rejected.map((r) => r.reason).join("\n")).toMatch(reason);
  });

  describe("a click handled after its approver acted again (a late delivery)", () => {
    // The run appeared at 10:50; the click arrives at 11:00.
    const late = (over: Partial<ButtonClick> = {}) =>
      click({ shownAt: "2024-05-01T10:50:00Z", ...over });
    const dismissedRequest = review("alice", "DISMISSED", 55, {
      dismissedState: "changes_requested",
    });

    test("a change request made after the run appeared, since dismissed, outranks the click", () => {
      const out = evaluateButtonClick(late(), [target({ reviews: [dismissedRequest] })]);
      expect(out.approval).toBeNull();
      expect(out.rejected.map((r) => r.reason).join("\n")).toMatch(
        /they requested changes afterwards .*since dismissed.*\(a click counts from when its check run was created/,
      );
      // The same click on a run that appeared after that change request counts.
      const fresh = evaluateButtonClick(late({ shownAt: "2024-05-01T10:56:00Z" }), [
        target({ reviews: [dismissedRequest] }),
      ]);
      expect(fresh.accepted).toEqual([12]);
      // The record carries the time it was judged at: every later decision judges it alike.
      expect(fresh.approval?.approvedAt).toBe("2024-05-01T10:56:00Z");
      expect(fresh.externalId).toMatch(/;by=alice;at=2024-05-01T10:56:00Z$/);
    });

    test("a refusal the placement does not cause does not blame it", () => {
      const out = evaluateButtonClick(late(), [
        target({ reviews: [review("alice", "CHANGES_REQUESTED", 55)] }),
      ]);
      expect(out.rejected.map((r) => r.reason)).toEqual([
        "their latest review requests changes; approving with a review withdraws it",
      ]);
    });

    test("a base change after the run appeared voids it, even back to the same base", () => {
      const out = evaluateButtonClick(late(), [target({ baseChangedAt: "2024-05-01T10:55:00Z" })]);
      expect(out.approval).toBeNull();
      expect(out.rejected.map((r) => r.reason).join("\n")).toMatch(
        /given before the base branch changed/,
      );
    });

    test.each([
      ["unknown", null],
      ["not a time", "yesterday"],
    ])("a run whose creation time is %s takes no click", (_name, shownAt) => {
      const out = evaluateButtonClick(click({ shownAt }), [target()]);
      expect(out.approval).toBeNull();
      expect(out.rejected.map((r) => r.reason)).toEqual([
        "when this check run was created is unknown, so the click cannot be placed in time; use the latest check run",
      ]);
    });

    test("a run stamped after the click's arrival (clock skew) places it at its arrival", () => {
      const out = evaluateButtonClick(click({ shownAt: "2024-05-01T11:00:30Z" }), [
        target({
          reviews: [review("alice", "DISMISSED", 59, { dismissedState: "changes_requested" })],
        }),
      ]);
      expect(out.accepted).toEqual([12]);
    });
  });

  describe("one head in two pull requests with different bases", () => {
    const run = { externalId: runId({ 12: "dev", 13: "main" }) };
    const dev = target({
      pr: { ...facts().pr, number: 12, baseRef: "dev" },
      baseRefs: { 12: "dev", 13: "main" },
    });
    const main = target(
      {
        pr: { ...facts().pr, number: 13, baseRef: "main" },
        baseRefs: { 12: "dev", 13: "main" },
        eligibility: [{ login: "alice", teams: { "prod-dba": "none" } }],
      },
      policy({ teams: ["prod-dba"] }),
    );

    test("the click approves only where the clicker is eligible, and the record covers both", () => {
      const out = evaluateButtonClick(click({}, run), [dev, main]);
      expect(out.accepted).toEqual([12]);
      expect(out.rejected).toEqual([{ pr: 13, reason: "not a member of team prod-dba" }]);
      expect(out.approval?.pullRequests).toEqual([12, 13]);
      // Each PR applies its own policy to the record.
      const withRecord = (t: ClickTarget) =>
        decideApproval(t.policy, { ...t.facts, buttonApprovals: [out.approval!] });
      expect(withRecord(dev).state).toBe("approved");
      expect(withRecord(main).state).toBe("pending");
      expect(withRecord(main).notCounted[0]!.reasons[0]!.code).toBe("not-eligible");
    });

    test("a PR whose head moved on is left out of the record", () => {
      const moved = target({ pr: { ...facts().pr, number: 13, headSha: OLD } });
      const out = evaluateButtonClick(click({}, run), [dev, moved]);
      expect(out.accepted).toEqual([12]);
      expect(out.rejected).toEqual([
        {
          pr: 13,
          reason:
            "this check run is for commit aaaaaaa, but the head of #13 is now bbbbbbb; use the latest check run",
        },
      ]);
      expect(out.approval?.pullRequests).toEqual([12]);
      expect(out.externalId).toBe(
        `mw-approval/2;pr=12;digest=${D1};base=${baseBinding([{ number: 12, baseRef: "dev" }])};by=alice;at=${NOW}`,
      );
    });

    test("a PR the clicked run did not cover is left out of the record", () => {
      const out = evaluateButtonClick(click({}, { externalId: runId({ 12: "dev" }) }), [dev, main]);
      expect(out.accepted).toEqual([12]);
      expect(out.rejected).toEqual([
        {
          pr: 13,
          reason: "this check run does not cover pull request #13; use its latest check run",
        },
      ]);
      expect(out.approval?.pullRequests).toEqual([12]);
    });
  });
});
