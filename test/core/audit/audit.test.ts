/** The push audit's pure core: branch patterns, policy changes, the verdict and its text. */
import { describe, expect, test } from "@jest/globals";
import { defaultConfig, parseConfig } from "../../../src/config/load.js";
import {
  altersMergedMigration,
  auditConclusion,
  branchMatcher,
  isAuditedBranch,
  policyChanges,
  renderAudit,
  type AuditFacts,
} from "../../../src/core/audit/index.js";

const SHA = "a".repeat(40);

describe("audit.branches", () => {
  test.each([
    [["main"], "main", true],
    [["main"], "main2", false],
    [["release/*"], "release/1.0", true],
    [["release/*"], "release/1.0/hotfix", false],
    [["release/**"], "release/1.0/hotfix", true],
    [["v?.x"], "v1.x", true],
    [["v?.x"], "v1/x", false],
    // Regex metacharacters in branch names are literal.
    [["a.b"], "aXb", false],
    [["(x)+"], "(x)+", true],
  ])("%j matches %s: %s", (patterns, branch, expected) => {
    expect(branchMatcher(patterns)(branch)).toBe(expected);
  });

  test("absent: the default branch only; empty: no branch", () => {
    expect(isAuditedBranch({ issue: false }, "trunk", "trunk")).toBe(true);
    expect(isAuditedBranch({ issue: false }, "main", "trunk")).toBe(false);
    expect(isAuditedBranch({ branches: [], issue: false }, "trunk", "trunk")).toBe(false);
  });
});

describe("policy changes", () => {
  const cfg = (yaml: string) => parseConfig(yaml, { ref: "test" });
  const weakening = (a: string, b: string) =>
    policyChanges(cfg(a), cfg(b), "main")
      .filter((c) => c.weakens)
      .map((c) => c.key);

  test("none between equal configurations, whatever the spelling", () => {
    expect(policyChanges(defaultConfig(), cfg("approval:\n  required: always\n"), "main")).toEqual(
      [],
    );
  });

  test.each([
    ["approval:\n  required: always\n", "approval:\n  required: risky\n", "approval.required"],
    ["approval:\n  count: 2\n", "approval:\n  count: 1\n", "approval.count"],
    ["approval:\n  teams: [dba]\n", "approval:\n  teams: [dba, devs]\n", "approval.teams"],
    ["approval:\n  users: [a]\n", "approval:\n  users: [a, b]\n", "approval.users"],
    ["", "approval:\n  allowAuthor: true\n", "approval.allowAuthor"],
    ["", "rules:\n  drop-table: warning\n", "rules.drop-table"],
    ["", "replay:\n  enabled: false\n", "replay.enabled"],
    ["", "limits:\n  maxFileBytes: 10\n", "limits.maxFileBytes"],
    ["audit:\n  issue: true\n", "", "audit.issue"],
    [
      "directories:\n  - path: migrations\n    dialect: postgres\n    squashedBelow: 5\n",
      "directories:\n  - path: migrations\n    dialect: postgres\n    squashedBelow: 9\n",
      "directories[migrations].squashedBelow",
    ],
    [
      "",
      "directories:\n  - path: migrations\n    dialect: postgres\n    squashedBelow: 1\n",
      "directories[migrations].squashedBelow",
    ],
    [
      "directories:\n  - path: migrations\n    dialect: postgres\n  - path: db\n    dialect: mysql\n",
      "",
      "directories",
    ],
  ])("%j → %j weakens %s, and not the way back", (a, b, key) => {
    expect(weakening(a, b)).toContain(key);
    expect(weakening(b, a)).not.toContain(key);
  });

  test.each([
    ["", "directories:\n  - path: db\n    dialect: postgres\n", "directories"],
    [
      "",
      "directories:\n  - path: migrations\n    dialect: clickhouse\n",
      "directories[migrations].dialect",
    ],
    ["", "audit:\n  branches: [release]\n", "audit.branches"],
  ])("%j → %j weakens %s both ways (a replacement)", (a, b, key) => {
    expect(weakening(a, b)).toContain(key);
    expect(weakening(b, a)).toContain(key);
  });

  test("named approvers dropped: admins and maintainers approve instead", () => {
    expect(weakening("approval:\n  teams: [dba]\n", "")).toEqual(["approval.teams/users"]);
  });

  test("readable: from what to what", () => {
    expect(
      policyChanges(
        cfg("approval:\n  teams: [dba, ops]\n"),
        cfg("approval:\n  teams: [ops, sre]\n"),
        "main",
      ),
    ).toEqual([
      { key: "approval.teams", change: "removed dba; added sre (now ops, sre)", weakens: true },
    ]);
  });
});

function facts(over: Partial<AuditFacts> = {}): AuditFacts {
  return {
    branch: "main",
    before: "b".repeat(40),
    after: SHA,
    base: { sha: "b".repeat(40), how: "before" },
    forced: false,
    by: { pusher: "mallory", sender: "mallory", at: null },
    altered: [],
    uncovered: [],
    dropped: [],
    covered: [],
    policy: null,
    unresolved: [],
    notes: [],
    ...over,
  };
}

describe("the verdict", () => {
  const dirs = [{ path: "db", dialect: "postgres" as const, multiStatement: false }];

  test("merged migrations: edits, deletions and renames of golang-migrate files directly in a directory", () => {
    expect(altersMergedMigration({ path: "db/1_a.up.sql", status: "modified" }, dirs)).toBe(true);
    expect(altersMergedMigration({ path: "db/1_a.up.sql", status: "removed" }, dirs)).toBe(true);
    expect(
      altersMergedMigration(
        { path: "db/2_a.up.sql", previousPath: "db/1_a.up.sql", status: "renamed" },
        dirs,
      ),
    ).toBe(true);
    expect(altersMergedMigration({ path: "db/1_a.up.sql", status: "added" }, dirs)).toBe(false);
    expect(altersMergedMigration({ path: "db/README.md", status: "modified" }, dirs)).toBe(false);
    expect(altersMergedMigration({ path: "db/sub/1_a.up.sql", status: "removed" }, dirs)).toBe(
      false,
    );
  });

  test("success only when nothing is altered, dropped, uncovered or unresolved", () => {
    expect(auditConclusion(facts())).toBe("success");
    const file = { path: "db/1_a.up.sql", status: "added" as const, commit: SHA };
    expect(auditConclusion(facts({ uncovered: [file] }))).toBe("failure");
    expect(auditConclusion(facts({ dropped: [file] }))).toBe("failure");
    expect(auditConclusion(facts({ altered: [file] }))).toBe("failure");
    expect(auditConclusion(facts({ unresolved: ["x"] }))).toBe("failure");
    const weak = { key: "approval.required", change: "always → never", weakens: true };
    const policy = { changes: [weak], viaPullRequest: null, commits: [], invalid: null };
    expect(auditConclusion(facts({ policy }))).toBe("failure");
    // Through a merged pull request too: one that only edits the policy needed no DBA.
    expect(auditConclusion(facts({ policy: { ...policy, viaPullRequest: 7 } }))).toBe("failure");
    expect(auditConclusion(facts({ policy: { ...policy, changes: [], invalid: "bad" } }))).toBe(
      "failure",
    );
  });

  test("names from GitHub cannot inject Markdown into the summary", () => {
    const { summary } = renderAudit(
      facts({
        branch: "x` [link](http://evil)",
        by: { pusher: "<img src=x>", sender: "m", at: null },
        uncovered: [{ path: "db/1_`x`.up.sql", status: "added", commit: SHA }],
      }),
    );
    expect(summary).not.toMatch(/(^|[^\\])<img/);
    // The branch stays inside one code span.
    expect(summary).toContain("``x` [link](http://evil)``");
    expect(summary).toContain("\\<img src=x\\>");
  });
});
