/**
 * People are accounts (identity.ts): the decision compares account ids where the facts carry
 * them, re-identifies recorded clicks by their account, and fails closed when one evaluation's
 * facts name a login for two accounts. Record version 3 keeps the clicker's id.
 */
import { decideApproval } from "../../../src/core/approval/decide.js";
import { encodeApprovalRunId, parseApprovalRunId } from "../../../src/core/approval/record.js";
import { loginsToResolve } from "../../../src/core/approval/identity.js";
import { button, D1, facts, OTHER, policy, review } from "./facts.js";

const BASE = "b".repeat(32);

describe("record version 3", () => {
  test("a click with the clicker's account id round-trips", () => {
    const id = {
      pullRequests: [12],
      digest: D1,
      base: BASE,
      approval: { approver: "alice", approvedAt: "2024-05-01T10:00:00Z", approverId: 583231 },
    };
    const s = encodeApprovalRunId(id);
    expect(s).toBe(
      `mw-approval/3;pr=12;digest=${D1};base=${BASE};by=alice;id=583231;at=2024-05-01T10:00:00Z`,
    );
    expect(parseApprovalRunId(s)).toEqual({ ok: true, value: { ...id, version: 3 } });
  });

  test.each([
    [
      `mw-approval/3;pr=12;digest=${D1};base=${BASE};by=alice;at=2024-05-01T10:00:00Z`,
      "account id",
    ],
    [`mw-approval/3;pr=12;digest=${D1};base=${BASE}`, "malformed"],
    [
      `mw-approval/3;pr=12;digest=${D1};base=${BASE};by=alice;id=0;at=2024-05-01T10:00:00Z`,
      "malformed",
    ],
    [
      `mw-approval/3;pr=12;digest=${D1};base=${BASE};by=alice;id=99999999999999999;at=2024-05-01T10:00:00Z`,
      "malformed",
    ],
    [
      `mw-approval/2;pr=12;digest=${D1};base=${BASE};by=alice;id=7;at=2024-05-01T10:00:00Z`,
      "malformed",
    ],
  ])("%s is rejected", (s, why) => {
    const parsed = parseApprovalRunId(s);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(why);
  });

  test("runs without a click keep the version 2 form", () => {
    expect(
      encodeApprovalRunId({ pullRequests: [12], digest: D1, base: BASE, approval: null }),
    ).toBe(`mw-approval/2;pr=12;digest=${D1};base=${BASE}`);
  });
});

describe("people compared by account id", () => {
  const users = policy({ teams: [], users: ["alice"] });

  test("a commit by the approver's account under an older login excludes her", () => {
    const d = decideApproval(
      users,
      facts({
        reviews: [{ ...review("alice", "APPROVED", 1), userId: 7 }],
        commits: [{ sha: OTHER, author: "al", authorId: 7, committer: "dev", committerId: 9 }],
      }),
    );
    // One account, two logins in one evaluation's facts: fail closed.
    expect(d.state).toBe("error");
    expect(d.errors.join("\n")).toContain("GitHub names account 7 both @alice");
  });

  test("a listed login resolved to another account does not count", () => {
    const d = decideApproval(
      users,
      facts({
        reviews: [{ ...review("alice", "APPROVED", 1), userId: 7 }],
        accounts: { alice: 8 },
      }),
    );
    expect(d.state).toBe("error");
    expect(d.errors.join("\n")).toContain("GitHub names two accounts @alice");
  });

  test("a pinned entry matches the account by id, and a pin GitHub contradicts fails", () => {
    const pinned = policy({ teams: [], users: ["alice"], userIds: { alice: 7 } });
    const approved = facts({
      reviews: [{ ...review("alice", "APPROVED", 1), userId: 7 }],
      accounts: { alice: 7 },
    });
    expect(decideApproval(pinned, approved).state).toBe("approved");
    const unresolved = decideApproval(pinned, { ...approved, accounts: undefined });
    expect(unresolved.state).toBe("error");
    expect(unresolved.errors.join("\n")).toContain(
      "approval.users: which account holds the login alice",
    );
  });

  test("a v3 click whose login now names another account does not count", () => {
    const d = decideApproval(
      users,
      facts({ buttonApprovals: [button("alice", 1, { approverId: 7 })], accounts: { alice: 8 } }),
    );
    expect(d.state).toBe("pending");
    expect(d.notCounted[0]!.reasons[0]!.code).toBe("renamed");
  });

  test("a v3 click of a renamed account counts under its current login", () => {
    const d = decideApproval(
      policy({ teams: [], users: ["alice2"] }),
      facts({
        reviews: [{ ...review("alice2", "COMMENTED", 2), userId: 7 }],
        buttonApprovals: [button("alice", 1, { approverId: 7 })],
        accounts: { alice2: 7 },
      }),
    );
    expect(d.state).toBe("approved");
    expect(d.approvers).toEqual(["alice2"]);
  });

  test("the logins to resolve: listed users, and clicks no live fact ties to their account", () => {
    const f = facts({
      reviews: [{ ...review("bob", "APPROVED", 1), userId: 5 }],
      buttonApprovals: [
        button("bob", 2, { approverId: 5 }),
        button("carol", 3, { approverId: 6 }),
        button("dave", 4),
      ],
    });
    expect(loginsToResolve(policy({ teams: ["dba"] }), f)).toEqual(["carol", "dave"]);
    expect(loginsToResolve(policy({ teams: [], users: ["erin"] }), f)).toEqual([
      "erin",
      "carol",
      "dave",
    ]);
    expect(loginsToResolve(policy({ teams: ["dba"] }), { ...f, buttonApprovals: [] })).toEqual([]);
  });
});
