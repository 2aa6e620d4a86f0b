import fc from "fast-check";
import {
  baseBinding,
  encodeApprovalRunId,
  EXTERNAL_ID_MAX_LENGTH,
  MAX_RECORD_PULL_REQUESTS,
  parseApprovalRunId,
  readApprovalRun,
  readButtonApproval,
  recordTime,
  type ApprovalRunId,
  type CheckRunFacts,
} from "../../../src/core/approval/record.js";
import { APPROVAL_CHECK_NAME } from "../../../src/core/approval/types.js";
import { D1, HEAD } from "./facts.js";

const APP = 4242;
const BASE = baseBinding([
  { number: 12, baseRef: "main" },
  { number: 15, baseRef: "release/1.x" },
]);
const record: ApprovalRunId = {
  pullRequests: [12, 15],
  digest: D1,
  base: BASE,
  approval: { approver: "alice", approvedAt: "2024-05-01T10:00:00Z" },
};
const run = (externalId: string | null, over: Partial<CheckRunFacts> = {}): CheckRunFacts => ({
  id: 77,
  name: APPROVAL_CHECK_NAME,
  appId: APP,
  headSha: HEAD,
  externalId,
  ...over,
});

describe("approval record (check run external_id)", () => {
  test("has a documented, versioned form", () => {
    expect(encodeApprovalRunId(record)).toBe(
      `mw-approval/2;pr=12,15;digest=${D1};base=${BASE};by=alice;at=2024-05-01T10:00:00Z`,
    );
    expect(
      encodeApprovalRunId({ pullRequests: [3], digest: null, base: null, approval: null }),
    ).toBe("mw-approval/2;pr=3");
  });

  test("the base binding is pinned, order-free, and tells bases and pull requests apart", () => {
    expect(BASE).toMatch(/^[0-9a-f]{32}$/);
    expect(
      baseBinding([
        { number: 15, baseRef: "release/1.x" },
        { number: 12, baseRef: "main" },
      ]),
    ).toBe(BASE);
    const variants = [
      [{ number: 12, baseRef: "main" }],
      [{ number: 12, baseRef: "decoy" }],
      [{ number: 13, baseRef: "main" }],
      [
        { number: 12, baseRef: "release/1.x" },
        { number: 15, baseRef: "main" },
      ],
      // A branch name cannot smuggle a second pair in.
      [{ number: 12, baseRef: 'main"],[15,"release/1.x' }],
    ].map((v) => baseBinding(v));
    expect(new Set([...variants, BASE]).size).toBe(variants.length + 1);
  });

  test("a version 1 record (no base) is still read, so that it can be named, never counted", () => {
    const v1 = `mw-approval/1;pr=12;digest=${D1};by=alice;at=2024-05-01T10:00:00Z`;
    expect(readButtonApproval(run(v1), APP)).toEqual({
      ok: true,
      value: expect.objectContaining({ approver: "alice", base: null }),
    });
  });

  test("round-trips every valid record", () => {
    const login = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/);
    const time = fc
      .date({
        min: new Date("2000-01-01T00:00:00Z"),
        max: new Date("2199-12-31T23:59:59Z"),
        noInvalidDate: true,
      })
      .map(recordTime);
    const arb = fc.record({
      pullRequests: fc
        .uniqueArray(fc.integer({ min: 1, max: 2_147_483_647 }), {
          minLength: 1,
          maxLength: MAX_RECORD_PULL_REQUESTS,
        })
        .map((a) => a.sort((x, y) => x - y)),
      digest: fc.stringMatching(/^[0-9a-f]{64}$/),
      base: fc.stringMatching(/^[0-9a-f]{32}$/),
      approval: fc.option(fc.record({ approver: login, approvedAt: time }), { nil: null }),
    });
    fc.assert(
      fc.property(arb, (r) => {
        let id: string;
        try {
          id = encodeApprovalRunId(r);
        } catch (err) {
          // Only a record that would not fit is refused.
          expect((err as Error).message).toMatch(/more than 255/);
          return;
        }
        expect(id.length).toBeLessThanOrEqual(EXTERNAL_ID_MAX_LENGTH);
        expect(parseApprovalRunId(id)).toEqual({ ok: true, value: { ...r, version: 2 } });
      }),
    );
  });

  test("a record of 8 pull requests with 6-digit numbers and the longest login fits; longer ones are refused", () => {
    const of = (first: number) => ({
      pullRequests: Array.from({ length: MAX_RECORD_PULL_REQUESTS }, (_, i) => first + i),
      digest: "f".repeat(64),
      base: "e".repeat(32),
      approval: { approver: "a".repeat(39), approvedAt: "2024-05-01T10:00:00Z" },
    });
    expect(encodeApprovalRunId(of(999_990)).length).toBeLessThanOrEqual(EXTERNAL_ID_MAX_LENGTH);
    expect(() => encodeApprovalRunId(of(2_147_483_640))).toThrow(/more than 255/);
  });

  test("encoding sorts pull request numbers", () => {
    expect(
      encodeApprovalRunId({ pullRequests: [15, 12], digest: null, base: null, approval: null }),
    ).toBe("mw-approval/2;pr=12,15");
  });

  const at = (approvedAt: string) => ({ ...record, approval: { approver: "alice", approvedAt } });
  test.each([
    [
      "no PR",
      { pullRequests: [], digest: null, base: null, approval: null },
      /at least one pull request/,
    ],
    [
      "too many PRs",
      { pullRequests: [1, 2, 3, 4, 5, 6, 7, 8, 9], digest: null, base: null, approval: null },
      /at most 8/,
    ],
    [
      "a duplicate PR",
      { pullRequests: [2, 2], digest: null, base: null, approval: null },
      /ascending and distinct/,
    ],
    ["PR 0", { pullRequests: [0], digest: null, base: null, approval: null }, /out of range/],
    ["an approval without digest", { ...record, digest: null }, /needs the digest/],
    ["an approval without base", { ...record, base: null }, /needs the base/],
    ["a long base", { ...record, base: "e".repeat(64) }, /invalid base binding/],
    ["an uppercase digest", { ...record, digest: "A".repeat(64) }, /invalid digest/],
    [
      "a bad login",
      { ...record, approval: { approver: "al ice", approvedAt: "2024-05-01T10:00:00Z" } },
      /invalid approver/,
    ],
    ["milliseconds", at("2024-05-01T10:00:00.000Z"), /invalid approval time/],
    ["an impossible date", at("2024-02-30T10:00:00Z"), /invalid approval time/],
  ] as [string, ApprovalRunId, RegExp][])("encoding refuses %s", (_name, r, message) => {
    expect(() => encodeApprovalRunId(r)).toThrow(RangeError);
    expect(() => encodeApprovalRunId(r)).toThrow(message);
  });

  const valid = encodeApprovalRunId(record);
  test.each([
    ["empty", ""],
    ["foreign text", "build-1234"],
    ["another version", valid.replace("mw-approval/2", "mw-approval/3")],
    ["a base in a version 1 record", valid.replace("mw-approval/2", "mw-approval/1")],
    ["no version", "mw-approval/;pr=12"],
    ["no fields", "mw-approval/2"],
    ["leading space", ` ${valid}`],
    ["trailing newline", `${valid}\n`],
    ["fields reordered", `mw-approval/2;digest=${D1};pr=12`],
    ["base before digest", `mw-approval/2;pr=12;base=${BASE};digest=${D1}`],
    ["unknown field", `${valid};x=1`],
    ["by without at", `mw-approval/2;pr=12;digest=${D1};base=${BASE};by=alice`],
    [
      "approval without digest",
      `mw-approval/2;pr=12;base=${BASE};by=alice;at=2024-05-01T10:00:00Z`,
    ],
    ["approval without base", `mw-approval/2;pr=12;digest=${D1};by=alice;at=2024-05-01T10:00:00Z`],
    ["empty base", `mw-approval/2;pr=12;digest=${D1};base=`],
    ["uppercase base", `mw-approval/2;pr=12;digest=${D1};base=${"A".repeat(32)}`],
    ["leading zero PR", "mw-approval/2;pr=012"],
    ["PR zero", "mw-approval/2;pr=0"],
    ["PR out of range", "mw-approval/2;pr=2147483648"],
    ["PRs not ascending", "mw-approval/2;pr=15,12"],
    ["PR repeated", "mw-approval/2;pr=12,12"],
    ["nine PRs", "mw-approval/2;pr=1,2,3,4,5,6,7,8,9"],
    ["short digest", "mw-approval/2;pr=12;digest=abc"],
    ["uppercase digest", `mw-approval/2;pr=12;digest=${"A".repeat(64)}`],
    ["login with a space", valid.replace("by=alice", "by=al ice")],
    ["login too long", valid.replace("by=alice", `by=${"a".repeat(40)}`)],
    ["time with offset", valid.replace("10:00:00Z", "10:00:00+00:00")],
    ["impossible time", valid.replace("2024-05-01T10", "2024-13-01T10")],
    ["too long", `${valid}${";".repeat(300)}`],
  ])("rejects %s", (_name, text) => {
    const r = parseApprovalRunId(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
  });

  test("reads a button approval only from the app's own approval runs", () => {
    expect(readButtonApproval(run(valid), APP)).toEqual({
      ok: true,
      value: {
        approver: "alice",
        approvedAt: "2024-05-01T10:00:00Z",
        headSha: HEAD,
        digest: D1,
        base: BASE,
        pullRequests: [12, 15],
        checkRunId: 77,
      },
    });
    expect(readButtonApproval(run("mw-approval/2;pr=12"), APP)).toEqual({ ok: true, value: null });
  });

  test.each([
    [
      "another app (e.g. a workflow forging the check name)",
      run(valid, { appId: 15368 }),
      /created by app 15368/,
    ],
    ["an unknown app", run(valid, { appId: null }), /created by app null/],
    [
      "another check name",
      run(valid, { name: "migration-warden/lint" }),
      /not migration-warden\/approval/,
    ],
    ["an invalid head sha", run(valid, { headSha: "main" }), /invalid head sha/],
    ["no external_id", run(null), /carries no approval record/],
    ["a malformed external_id", run("mw-approval/2;pr=x"), /check run 77: malformed/],
  ])("ignores a run from %s", (_name, r, reason) => {
    const parsed = readApprovalRun(r, APP);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
    expect(readButtonApproval(r, APP).ok).toBe(false);
  });

  test("recordTime drops milliseconds and refuses invalid dates", () => {
    expect(recordTime(new Date("2024-05-01T10:00:00.987Z"))).toBe("2024-05-01T10:00:00Z");
    expect(() => recordTime(new Date("nope"))).toThrow(RangeError);
  });
});
