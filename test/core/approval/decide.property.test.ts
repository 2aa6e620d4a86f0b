/**
 * Properties of decideApproval over random histories: an approval can only pass through eligible,
 * independent approvers of the exact head content, and the input order of the facts never matters.
 */
import { baseBinding } from "../../../src/core/approval/record.js";
import fc from "fast-check";
import type { ApprovalPolicy } from "../../../src/config/types.js";
import { decideApproval } from "../../../src/core/approval/decide.js";
import { loginKey, type ApprovalFacts } from "../../../src/core/approval/types.js";
import { at, D1, D2, facts, HEAD, OLD, OTHER } from "./facts.js";

const USERS = ["alice", "bob", "carol", "dev", "erin"];
const D3 = "3".repeat(64);

const arbPolicy: fc.Arbitrary<ApprovalPolicy> = fc.record({
  required: fc.constantFrom("always" as const, "risky" as const, "never" as const),
  teams: fc.constantFrom([], ["dba"]),
  users: fc.subarray(["carol"]),
  count: fc.integer({ min: 1, max: 3 }),
  allowAuthor: fc.boolean(),
  allowContributors: fc.boolean(),
});

const arbFacts: fc.Arbitrary<ApprovalFacts> = fc
  .record({
    minutes: fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 0, maxLength: 12 }),
    reviewSeeds: fc.array(
      fc.record({
        user: fc.constantFrom(...USERS),
        state: fc.constantFrom(
          "APPROVED",
          "approved",
          "CHANGES_REQUESTED",
          "COMMENTED",
          "DISMISSED",
        ),
        onHead: fc.boolean(),
        digest: fc.constantFrom(D1, D2, null),
      }),
      { maxLength: 12 },
    ),
    buttonSeeds: fc.array(
      fc.record({
        user: fc.constantFrom(...USERS),
        digest: fc.constantFrom(D1, D2),
        pr: fc.constantFrom(12, 13),
      }),
      { maxLength: 4 },
    ),
    membership: fc.array(fc.constantFrom("active" as const, "pending" as const, "none" as const), {
      minLength: USERS.length,
      maxLength: USERS.length,
    }),
    roles: fc.array(fc.constantFrom("admin", "maintain", "write", null), {
      minLength: USERS.length,
      maxLength: USERS.length,
    }),
    contributor: fc.constantFrom("dev", "bob", null),
    warnings: fc.integer({ min: 0, max: 1 }),
  })
  .map((s) => {
    const times = [...s.minutes];
    return facts({
      report: { ...facts().report, approvalRequired: false, warnings: s.warnings },
      reviews: s.reviewSeeds.slice(0, times.length).map((r, i) => ({
        id: i + 1,
        user: r.user,
        state: r.state,
        commitId: r.onHead ? HEAD : OLD,
        submittedAt: at(times[i]!),
        digest: r.onHead ? null : r.digest,
      })),
      buttonApprovals: s.buttonSeeds.map((b, i) => ({
        approver: b.user,
        approvedAt: at(i),
        headSha: HEAD,
        digest: b.digest,
        base: baseBinding([{ number: b.pr, baseRef: b.pr === 12 ? "main" : "release" }]),
        pullRequests: [b.pr],
      })),
      baseRefs: { 12: "main", 13: "release" },
      eligibility: USERS.map((login, i) => ({
        login,
        teams: { dba: s.membership[i]! },
        role: s.roles[i]!,
      })),
      commits: [{ sha: OTHER, author: "dev", committer: s.contributor }],
    });
  });

function eligibleByIdentity(p: ApprovalPolicy, f: ApprovalFacts, login: string): boolean {
  if (p.users.some((u) => loginKey(u) === loginKey(login))) return true;
  const e = f.eligibility.find((x) => loginKey(x.login) === loginKey(login))!;
  if (p.teams.length > 0) return e.teams?.dba === "active";
  if (p.users.length > 0) return false;
  return e.role === "admin" || e.role === "maintain";
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test("an approval passes only through eligible, independent approvers of the head content", () => {
  const seen = { approved: 0, pending: 0, blocked: 0, error: 0 };
  fc.assert(
    fc.property(arbPolicy, arbFacts, (p, f) => {
      const d = decideApproval(p, f);
      expect(["success", "action_required", "failure"]).toContain(d.conclusion);
      if (d.required) seen[d.state]++;
      if (d.state !== "approved" || !d.required) return;
      expect(d.approvers.length).toBeGreaterThanOrEqual(p.count);
      expect(d.blockers).toEqual([]);
      expect(d.errors).toEqual([]);
      for (const c of d.counted) {
        expect(c.digest).toBe(f.headDigest);
        expect(eligibleByIdentity(p, f, c.login)).toBe(true);
        if (!p.allowAuthor) expect(loginKey(c.login)).not.toBe(loginKey(f.pr.author));
        if (!p.allowContributors)
          for (const commit of f.commits) {
            expect(loginKey(c.login)).not.toBe(commit.author && loginKey(commit.author));
            expect(loginKey(c.login)).not.toBe(commit.committer && loginKey(commit.committer));
          }
        if (c.via === "review") {
          // It is the user's latest state-setting review.
          const later = f.reviews.filter(
            (r) => r.user === c.login && r.submittedAt! > c.at! && !/^commented$/i.test(r.state),
          );
          expect(later).toEqual([]);
        }
      }
      if (!p.allowContributors) expect(f.commits.every((x) => x.author && x.committer)).toBe(true);
    }),
    { numRuns: 2000 },
  );
  // The generator reaches every outcome, so the property above is not vacuous.
  expect(seen.approved).toBeGreaterThan(50);
  expect(seen.pending).toBeGreaterThan(50);
  expect(seen.blocked).toBeGreaterThan(50);
});

test("the order in which facts arrive does not change the decision", () => {
  fc.assert(
    fc.property(arbPolicy, arbFacts, fc.integer({ min: 1, max: 1e6 }), (p, f, seed) => {
      const a = decideApproval(p, f);
      const b = decideApproval(p, {
        ...f,
        reviews: shuffle(f.reviews, seed),
        buttonApprovals: shuffle(f.buttonApprovals, seed + 1),
        eligibility: shuffle(f.eligibility, seed + 2),
      });
      expect(b.state).toBe(a.state);
      expect(new Set(b.approvers)).toEqual(new Set(a.approvers));
      expect(b.blockers.map((x) => x.login).sort()).toEqual(a.blockers.map((x) => x.login).sort());
      expect(b.notCounted.length).toBe(a.notCounted.length);
    }),
    { numRuns: 1000 },
  );
});

test("a new head with new migration content voids every earlier approval", () => {
  fc.assert(
    fc.property(arbPolicy, arbFacts, (p, f) => {
      const d = decideApproval(p, {
        ...f,
        pr: { ...f.pr, headSha: "d".repeat(40) },
        headDigest: D3,
      });
      if (d.required) expect(d.state).not.toBe("approved");
    }),
    { numRuns: 1000 },
  );
});

test("an error or an incomplete analysis never passes", () => {
  fc.assert(
    fc.property(arbPolicy, arbFacts, fc.boolean(), (p, f, asError) => {
      const broken = asError
        ? { ...f, errors: ["HTTP 500"] }
        : { ...f, report: { ...f.report, incomplete: ["truncated tree"] } };
      expect(decideApproval(p, broken).conclusion).toBe("failure");
    }),
    { numRuns: 500 },
  );
});
