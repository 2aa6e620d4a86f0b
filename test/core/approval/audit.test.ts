import { baseBinding } from "../../../src/core/approval/record.js";
import {
  approvalCheckBody,
  escapeMarkdown,
  renderApprovalSummary,
  SUMMARY_MAX_BYTES,
  truncateUtf8,
} from "../../../src/core/approval/audit.js";
import {
  combineDecisions,
  decideApproval,
  failedDecision,
} from "../../../src/core/approval/decide.js";
import { APPROVE_ACTION } from "../../../src/core/approval/types.js";
import { button, D1, D2, facts, HEAD, member, OLD, policy, review } from "./facts.js";

const MAIN12 = baseBinding([{ number: 12, baseRef: "main" }]);

const alice = member("alice");
const one = (...args: Parameters<typeof decideApproval>) =>
  combineDecisions([decideApproval(...args)]);

describe("approval audit trail", () => {
  test("approved: who, how, when, on which commit and digest, and why they may approve", () => {
    const c = one(
      policy({ count: 2 }),
      facts({
        reviews: [review("alice", "APPROVED", 3, { id: 321, commitId: OLD, digest: D1 })],
        buttonApprovals: [button("bob", 4, { checkRunId: 654 })],
        eligibility: [alice, member("bob")],
      }),
    );
    const s = renderApprovalSummary(c);
    expect(s).toContain(
      "| @alice (active member of team dba) | review 321 | 2024-05-01T10:03:00Z | `bbbbbbb` | `1111111` = head |",
    );
    expect(s).toContain(
      "| @bob (active member of team dba) | **Approve migrations** button (check run 654) | 2024-05-01T10:04:00Z | `aaaaaaa` | `1111111` = head |",
    );
    expect(s).toContain(`- **Head commit:** \`${HEAD}\``);
    expect(s).toContain(`- **Migration digest (sha256):** \`${D1}\``);
    expect(s).toContain("- Active members of team **dba** (pending invitations do not count).");
    expect(s).toContain("- Never the author of the pull request (@dev).");
    expect(s).toContain(
      "- Never an author, co-author or committer of the pull request's commits (@dev).",
    );
    expect(s).toContain("- 2 distinct eligible approvers needed (approval.count).");
    expect(s).not.toContain("How to approve");

    const body = approvalCheckBody(c);
    expect(body.conclusion).toBe("success");
    expect(body.title).toBe("Approved by @alice and @bob");
    expect(body.actions).toBeUndefined();
    expect(body.externalId).toBe(`mw-approval/2;pr=12;digest=${D1};base=${MAIN12}`);
  });

  test("pending: offers the button, explains who sees it and what voids an approval", () => {
    const c = one(
      policy(),
      facts({
        reviews: [
          review("alice", "APPROVED", 1, { commitId: OLD, digest: D2 }),
          review("mallory", "CHANGES_REQUESTED", 2),
        ],
        eligibility: [alice, member("mallory", "pending")],
      }),
    );
    const body = approvalCheckBody(c);
    expect(body.conclusion).toBe("action_required");
    expect(body.actions).toEqual([APPROVE_ACTION]);
    expect(body.externalId).toBe(`mw-approval/2;pr=12;digest=${D1};base=${MAIN12}`);
    const s = body.summary;
    expect(s).toContain("Approvals counted\n\nNone yet.");
    expect(s).toMatch(
      /\| @alice \| review \d+: approved \| 2024-05-01T10:01:00Z \| `bbbbbbb` \| given on different migration content \(2222222 at bbbbbbb; now 1111111\) \|/,
    );
    expect(s).toMatch(
      /\| @mallory \| review \d+: changes requested \| .* \| does not block: invitation to team dba not yet accepted/,
    );
    expect(s).toContain(
      "GitHub shows the button only to users with write access to the repository; DBAs without write access approve with a review.",
    );
    expect(s).toContain("a push that changes any file in the migration directories voids it");
  });

  test("no teams or users: admins and maintainers, with a hint to name a DBA team", () => {
    const s = renderApprovalSummary(
      one(
        policy({ teams: [], users: [] }),
        facts({
          reviews: [review("root", "APPROVED", 1)],
          eligibility: [{ login: "root", role: "write" }],
        }),
      ),
    );
    expect(s).toContain("**admins and maintainers** of this repository may approve");
    expect(s).toContain("`.github/migration-warden.yml` on the base branch");
    expect(s).toContain("    teams: [dba]");
    expect(s).toContain("repository role write; only admin or maintain may approve");
  });

  test("blocked: names who requested changes, no button", () => {
    const c = one(
      policy(),
      facts({
        reviews: [review("bob", "CHANGES_REQUESTED", 1, { id: 9 })],
        eligibility: [member("bob")],
      }),
    );
    const body = approvalCheckBody(c);
    expect(body.conclusion).toBe("failure");
    expect(body.title).toBe("Changes requested by @bob");
    expect(body.actions).toBeUndefined();
    expect(body.summary).toContain(
      "- @bob requested changes in review 9 at 2024-05-01T10:01:00Z on `aaaaaaa`. The check fails until @bob approves or the review is dismissed.",
    );
  });

  test("error: the errors come first, no button, no digest to click against", () => {
    const c = one(
      policy(),
      facts({ headDigest: null, errors: ["GET /repos/o/r/git/trees/x: 502"] }),
    );
    const body = approvalCheckBody(c);
    expect(body.conclusion).toBe("failure");
    expect(body.actions).toBeUndefined();
    expect(body.externalId).toBe(`mw-approval/2;pr=12;base=${MAIN12}`);
    expect(body.summary).toContain("# Errors\n\n- GET /repos/o/r/git/trees/x: 502");
  });

  test("invalid configuration: failure, nothing approved, no policy shown", () => {
    const bad = failedDecision(facts().pr, [
      ".github/migration-warden.yml at main: approval.count: expected a positive integer",
    ]);
    const c = combineDecisions([bad]);
    const body = approvalCheckBody(c);
    expect(body.conclusion).toBe("failure");
    expect(body.actions).toBeUndefined();
    expect(body.externalId).toBe(`mw-approval/2;pr=12;base=${MAIN12}`);
    expect(body.summary).toContain("approval.count: expected a positive integer");
    expect(body.summary).toContain("- **Approval required:** unknown");
    expect(body.summary).not.toContain("Who can approve");
    expect(failedDecision(facts().pr, []).reasons).toEqual([
      "The approval could not be evaluated.",
    ]);
  });

  test("several pull requests: one section each, and the rule that all must pass", () => {
    const dev = decideApproval(
      policy(),
      facts({
        pr: { ...facts().pr, number: 12, baseRef: "dev" },
        reviews: [review("alice", "APPROVED", 1)],
        eligibility: [alice],
      }),
    );
    const main = decideApproval(
      policy({ count: 2 }),
      facts({
        pr: { ...facts().pr, number: 13, baseRef: "main" },
        reviews: [review("alice", "APPROVED", 1)],
        eligibility: [alice],
      }),
    );
    const c = combineDecisions([main, dev]);
    const body = approvalCheckBody(c);
    expect(body.title).toBe("#13: Waiting for DBA approval (1 of 2)");
    expect(body.externalId).toBe(
      `mw-approval/2;pr=12,13;digest=${D1};base=${baseBinding([
        { number: 12, baseRef: "dev" },
        { number: 13, baseRef: "main" },
      ])}`,
    );
    expect(body.actions).toEqual([APPROVE_ACTION]);
    const s = body.summary;
    expect(s).toContain(
      "This commit is the head of 2 open pull requests. The check passes only when each one is approved under its own base branch's policy.",
    );
    expect(s.indexOf("## #12 into dev: Approved")).toBeLessThan(
      s.indexOf("## #13 into main: Waiting for approval"),
    );
    expect(s).toContain("### How to approve");
  });

  test("different digests across pull requests: no button rather than a wrong binding", () => {
    const a = decideApproval(policy(), facts({ pr: { ...facts().pr, number: 12 } }));
    const b = decideApproval(
      policy(),
      facts({ pr: { ...facts().pr, number: 13 }, headDigest: D2 }),
    );
    const body = approvalCheckBody(combineDecisions([a, b]));
    expect(body.conclusion).toBe("action_required");
    expect(body.externalId).toBe(
      `mw-approval/2;pr=12,13;base=${baseBinding([
        { number: 12, baseRef: "main" },
        { number: 13, baseRef: "main" },
      ])}`,
    );
    expect(body.actions).toBeUndefined();
  });

  test("a recorded click becomes the run's external_id", () => {
    const record = `mw-approval/2;pr=12;digest=${D1};base=${MAIN12};by=alice;at=2024-05-01T11:00:00Z`;
    const c = one(policy(), facts({ buttonApprovals: [button("alice", 1)], eligibility: [alice] }));
    expect(approvalCheckBody(c, record).externalId).toBe(record);
  });

  test("text from GitHub cannot inject markup into the audit trail", () => {
    const evil = "x<img src=y>|`z`](http://e)\n# h";
    const s = renderApprovalSummary(
      one(policy(), facts({ pr: { ...facts().pr, baseRef: evil }, errors: [evil] })),
    );
    expect(s).not.toMatch(/(^|[^\\])<img/);
    expect(s).not.toMatch(/(^|[^\\])`z/);
    expect(s).not.toMatch(/^# h/m);
    expect(s).toContain("- **Pull request:** #12 into x\\<img src=y\\>\\|\\`z\\`\\](http://e) # h");
    expect(escapeMarkdown("- item")).toBe("\\- item");
    expect(escapeMarkdown("1. item")).toBe("\\1. item");
  });

  test("stays under GitHub's summary limit, saying what was left out", () => {
    const reviews = Array.from({ length: 3000 }, (_, i) =>
      review(`user${i}`, "APPROVED", i % 60, { commitId: OLD, digest: D2 }),
    );
    const eligibility = reviews.map((r) => member(r.user!, "none"));
    const s = renderApprovalSummary(one(policy(), facts({ reviews, eligibility })));
    expect(new TextEncoder().encode(s).length).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(s).toContain("…and 2950 more.");
  });

  test("truncateUtf8 cuts at a line boundary by bytes", () => {
    const text = Array.from({ length: 100 }, () => "é".repeat(50)).join("\n");
    const cut = truncateUtf8(text, 1000);
    expect(new TextEncoder().encode(cut).length).toBeLessThanOrEqual(1000);
    expect(cut).toMatch(/^(é{50}\n)+\n…truncated/);
    expect(truncateUtf8("short", 1000)).toBe("short");
  });

  test("long titles are shortened", () => {
    const logins = Array.from({ length: 20 }, (_, i) => `approver-with-a-long-login-${i}`);
    const c = one(
      policy({ count: 20 }),
      facts({
        reviews: logins.map((l, i) => review(l, "APPROVED", i)),
        eligibility: logins.map((l) => member(l)),
      }),
    );
    expect(c.state).toBe("approved");
    expect(approvalCheckBody(c).title).toBe(
      "Approved by @approver-with-a-long-login-0, @approver-with-a-long-login-1, @approver-with-a-long-login-2 and 17 more",
    );
  });

  test("the button fits GitHub's limits (label ≤ 20, description ≤ 40, identifier ≤ 20)", () => {
    expect(APPROVE_ACTION.label.length).toBeLessThanOrEqual(20);
    expect(APPROVE_ACTION.description.length).toBeLessThanOrEqual(40);
    expect(APPROVE_ACTION.identifier).toBe("approve");
  });

  test("more pull requests than a record holds: no external_id and no button", () => {
    const ds = Array.from({ length: 9 }, (_, i) =>
      decideApproval(policy(), facts({ pr: { ...facts().pr, number: i + 1 } })),
    );
    const body = approvalCheckBody(combineDecisions(ds));
    expect(body.externalId).toBeUndefined();
    expect(body.actions).toBeUndefined();
    expect(body.conclusion).toBe("action_required");
  });
});
