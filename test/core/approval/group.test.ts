/** The merge group verdict (src/core/approval/group.ts): pure, from the facts the adapter reads. */
import { describe, expect, test } from "@jest/globals";
import { baseBinding, parseApprovalRunId } from "../../../src/core/approval/record.js";
import {
  decideMergeGroup,
  encodeGroupRunId,
  parseGroupRunId,
  type GroupFacts,
  type GroupMember,
} from "../../../src/core/approval/group.js";

const D1 = "a".repeat(64);
const D2 = "b".repeat(64);
const HEAD = "c".repeat(40);
const BLOB = "1".repeat(40);
const OTHER_BLOB = "2".repeat(40);

function member(number: number, over: Partial<GroupMember> = {}): GroupMember {
  return {
    number,
    baseRef: "main",
    headSha: String(number).repeat(40).slice(0, 40),
    approval: {
      found: true,
      runId: 100 + number,
      conclusion: "success",
      record: {
        pullRequests: [number],
        digest: D1,
        base: baseBinding([{ number, baseRef: "main" }]),
        approval: null,
      },
    },
    headDigest: D1,
    headFiles: new Map([["migrations/2_a.up.sql", BLOB]]),
    ...over,
  };
}

function facts(over: Partial<GroupFacts> = {}): GroupFacts {
  return {
    baseRef: "main",
    headSha: HEAD,
    unresolved: null,
    members: [member(2)],
    otherBases: new Map(),
    changes: [{ path: "migrations/2_a.up.sql", oid: BLOB }],
    incomplete: [],
    ...over,
  };
}

describe("decideMergeGroup", () => {
  test("passes when each change is an approved head's entry", () => {
    const v = decideMergeGroup(facts());
    expect([v.conclusion, v.title]).toEqual([
      "success",
      "Approved: 1 migration change in 1 pull request",
    ]);
    expect(v.summary).toContain("| `migrations/2_a.up.sql` | blob `111111111111` | #2 |");
  });

  test("a deletion is covered by an approved head that lacks the path", () => {
    const gone = new Map([["migrations/1_old.up.sql", null]]);
    const v = decideMergeGroup(
      facts({
        members: [member(2, { headFiles: gone })],
        changes: [{ path: "migrations/1_old.up.sql", oid: null }],
      }),
    );
    expect(v.conclusion).toBe("success");
    // The same deletion is not covered by a head that still has the file.
    const kept = new Map([["migrations/1_old.up.sql", BLOB]]);
    expect(
      decideMergeGroup(
        facts({
          members: [member(2, { headFiles: kept })],
          changes: [{ path: "migrations/1_old.up.sql", oid: null }],
        }),
      ).conclusion,
    ).toBe("failure");
  });

  test("other content at the path fails, naming what each head has", () => {
    const v = decideMergeGroup(
      facts({ changes: [{ path: "migrations/2_a.up.sql", oid: OTHER_BLOB }] }),
    );
    expect(v.conclusion).toBe("failure");
    expect(v.summary).toContain("(#2 has blob `111111111111`)");
  });

  test("a record for other content, or a digest that cannot be computed, fails", () => {
    expect(decideMergeGroup(facts({ members: [member(2, { headDigest: D2 })] })).summary).toContain(
      "was for other migration content",
    );
    expect(
      decideMergeGroup(
        facts({ members: [member(2, { headDigest: null, digestProblem: "listing cut short" })] }),
      ).summary,
    ).toContain("cannot be computed: listing cut short");
  });

  test("the base binding counts every pull request the record names, at its current base", () => {
    const shared = member(2, {
      approval: {
        found: true,
        runId: 7,
        conclusion: "success",
        record: {
          pullRequests: [2, 9],
          digest: D1,
          base: baseBinding([
            { number: 2, baseRef: "main" },
            { number: 9, baseRef: "release" },
          ]),
          approval: null,
        },
      },
    });
    expect(
      decideMergeGroup(facts({ members: [shared], otherBases: new Map([[9, "release"]]) }))
        .conclusion,
    ).toBe("success");
    // #9 was retargeted since: the run's binding no longer holds.
    expect(
      decideMergeGroup(facts({ members: [shared], otherBases: new Map([[9, "main"]]) })).summary,
    ).toContain("was given against another base");
    // Unknown: fail closed.
    expect(decideMergeGroup(facts({ members: [shared] })).summary).toContain(
      "the base of #9, named in its approval run, is unknown",
    );
  });

  test("version 1 records, runs in progress and missing runs never count", () => {
    const v1 = member(2);
    if (v1.approval.found) v1.approval.record = { ...v1.approval.record, base: null };
    expect(decideMergeGroup(facts({ members: [v1] })).summary).toContain("names no base");
    const running = member(2);
    if (running.approval.found) running.approval.conclusion = null;
    expect(decideMergeGroup(facts({ members: [running] })).summary).toContain("has not completed");
    expect(
      decideMergeGroup(
        facts({ members: [member(2, { approval: { found: false, reason: "no run" } })] }),
      ).summary,
    ).toContain("#2 is not approved for this group: no run");
  });

  test("a passing run without a digest vouches for no migration content", () => {
    const none = member(2);
    if (none.approval.found) none.approval.record = { ...none.approval.record, digest: null };
    expect(decideMergeGroup(facts({ members: [none] })).conclusion).toBe("failure");
    expect(decideMergeGroup(facts({ members: [none], changes: [] }))).toMatchObject({
      conclusion: "success",
      title: "No migration changed",
    });
  });

  test("unresolved, empty and incomplete groups fail closed", () => {
    expect(decideMergeGroup(facts({ unresolved: "gone" })).title).toBe(
      "Merge group could not be resolved",
    );
    expect(decideMergeGroup(facts({ members: [], changes: [] })).conclusion).toBe("failure");
    expect(decideMergeGroup(facts({ incomplete: ["cut"] })).title).toBe(
      "Incomplete view of the merge group",
    );
  });
});

test("group run ids round-trip and are not approval records", () => {
  expect(parseGroupRunId(encodeGroupRunId("release/1.x"))).toEqual({
    baseRef: "release/1.x",
    digest: null,
  });
  expect(parseGroupRunId(encodeGroupRunId("a;base=b", D1))).toEqual({
    baseRef: "a;base=b",
    digest: D1,
  });
  expect(encodeGroupRunId("x".repeat(300))).toBeNull();
  expect(encodeGroupRunId("main", "not-a-digest")).toBeNull();
  expect(parseGroupRunId("mw-approval/2;pr=1")).toBeNull();
  expect(parseGroupRunId("mw-merge-group/1;base=")).toBeNull();
  expect(parseApprovalRunId(encodeGroupRunId("main", D1)!).ok).toBe(false);
});
