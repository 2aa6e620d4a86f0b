import { parseConfig } from "../../../src/config/load.js";
import { analyze } from "../../../src/core/analyze.js";
import { SQL_RULES } from "../../../src/core/rules/registry.js";
import type { ChangeSet, Finding } from "../../../src/core/types.js";
import { changeSet } from "../../support/changeset.js";

const tool = { name: "migration-warden", version: "test" };
const config = (yaml = "") => parseConfig(yaml === "" ? null : yaml, { ref: "main" });

/** Structural findings only: the SQL rules have their own tests (test/core/rules/sql/). */
const SQL_IDS = new Set([...SQL_RULES.map((r) => r.meta.id), "sql-parse-error"]);
async function findings(cs: ChangeSet, yaml = ""): Promise<Finding[]> {
  return (await analyze(config(yaml), cs, { tool })).report.findings.filter(
    (f) => !SQL_IDS.has(f.ruleId),
  );
}
const brief = (fs: Finding[]) =>
  fs.map((f) => `${f.path} ${f.ruleId} ${f.severity}${f.suppressed ? " suppressed" : ""}`);

const BASE = {
  migrations: {
    "000001_users.up.sql": "CREATE TABLE users (id bigint);",
    "000001_users.down.sql": "DROP TABLE users;",
    "000002_orders.up.sql": "CREATE TABLE orders (id bigint);",
    "000002_orders.down.sql": "DROP TABLE orders;",
    "README.md": "# migrations",
    "0001_legacy_up.sql": "SELECT 1;",
  },
};
const UP = "CREATE TABLE t (id bigint);";
const DOWN = "DROP TABLE t;";

describe("structural checks on a change (git mode)", () => {
  test.each<[string, Parameters<typeof changeSet>[0], string[]]>([
    [
      "a clean new pair",
      {
        base: BASE,
        add: { "migrations/000003_t.up.sql": UP, "migrations/000003_t.down.sql": DOWN },
      },
      [],
    ],
    ["an unrelated file in the directory", { base: BASE, add: { "migrations/NOTES.md": "x" } }, []],
    [
      "a name golang-migrate ignores",
      { base: BASE, add: { "migrations/000003_t_up.sql": UP } },
      ["migrations/000003_t_up.sql invalid-migration-filename error"],
    ],
    [
      "a backup copy that golang-migrate loads and that collides",
      { base: BASE, add: { "migrations/000002_orders.up.sql.bak": "x" } },
      [
        "migrations/000002_orders.up.sql.bak duplicate-migration-version error",
        "migrations/000002_orders.up.sql.bak invalid-migration-filename error",
      ],
    ],
    [
      "the same version with other leading zeros",
      { base: BASE, add: { "migrations/2_other.up.sql": UP } },
      ["migrations/2_other.up.sql duplicate-migration-version error"],
    ],
    [
      "two new files with the same version",
      {
        base: BASE,
        add: {
          "migrations/000005_a.up.sql": UP,
          "migrations/05_b.up.sql": UP,
          "migrations/000005_a.down.sql": DOWN,
        },
      },
      [
        "migrations/000005_a.up.sql duplicate-migration-version error",
        "migrations/05_b.up.sql duplicate-migration-version error",
      ],
    ],
    [
      "an up file without down",
      { base: BASE, add: { "migrations/000003_t.up.sql": UP } },
      ["migrations/000003_t.up.sql missing-down-migration warning"],
    ],
    [
      "a down file added later for a merged up (allowed)",
      {
        base: { migrations: { "000001_a.up.sql": UP } },
        add: { "migrations/000001_a.down.sql": DOWN },
      },
      [],
    ],
    [
      "a down file without up",
      { base: BASE, add: { "migrations/000003_t.down.sql": DOWN } },
      ["migrations/000003_t.down.sql missing-up-migration error"],
    ],
    [
      "pairing is by version only (titles may differ)",
      {
        base: BASE,
        add: { "migrations/000003_add_x.up.sql": UP, "migrations/3_drop_y.down.sql": DOWN },
      },
      [],
    ],
    [
      "a version below the latest merged one",
      { base: BASE, add: { "migrations/000001_5_late.up.sql": UP } },
      ["migrations/000001_5_late.up.sql duplicate-migration-version error"],
    ],
    [
      "a new version lower than the latest merged one",
      {
        base: {
          migrations: {
            "10_a.up.sql": UP,
            "10_a.down.sql": DOWN,
            "20_b.up.sql": UP,
            "20_b.down.sql": DOWN,
          },
        },
        add: { "migrations/15_c.up.sql": UP, "migrations/15_c.down.sql": DOWN },
      },
      [
        "migrations/15_c.down.sql out-of-order-migration error",
        "migrations/15_c.up.sql out-of-order-migration error",
      ],
    ],
    [
      "a new version equal to a merged one (a duplicate, not out of order)",
      {
        base: { migrations: { "20_b.up.sql": UP, "20_b.down.sql": DOWN } },
        add: { "migrations/20_c.up.sql": UP },
      },
      ["migrations/20_c.up.sql duplicate-migration-version error"],
    ],
    [
      "an edit to a merged migration",
      {
        base: BASE,
        modify: { "migrations/000001_users.up.sql": "CREATE TABLE users (id bigint, x int);" },
      },
      ["migrations/000001_users.up.sql modified-merged-migration error"],
    ],
    [
      "an edit to the merged README is fine",
      { base: BASE, modify: { "migrations/README.md": "# new" } },
      [],
    ],
    [
      "an edit to a merged file golang-migrate never read",
      { base: BASE, modify: { "migrations/0001_legacy_up.sql": "SELECT 2;" } },
      ["migrations/0001_legacy_up.sql invalid-migration-filename error"],
    ],
    [
      "a deleted merged migration",
      { base: BASE, remove: ["migrations/000002_orders.down.sql"] },
      ["migrations/000002_orders.down.sql deleted-merged-migration error"],
    ],
    [
      "a renamed merged migration",
      {
        base: BASE,
        rename: [["migrations/000002_orders.up.sql", "migrations/000003_orders.up.sql"]],
      },
      [
        "migrations/000003_orders.up.sql missing-down-migration warning",
        "migrations/000003_orders.up.sql renamed-merged-migration error",
      ],
    ],
    [
      "a migration in a subdirectory is never read",
      { base: BASE, add: { "migrations/archive/000009_x.up.sql": UP } },
      ["migrations/archive/000009_x.up.sql invalid-migration-filename warning"],
    ],
    [
      "an empty up file",
      {
        base: BASE,
        add: { "migrations/000003_t.up.sql": "", "migrations/000003_t.down.sql": DOWN },
      },
      ["migrations/000003_t.up.sql empty-migration warning"],
    ],
    [
      "a comment-only up file",
      {
        base: BASE,
        add: {
          "migrations/000003_t.up.sql": "-- todo\n/* later */\n",
          "migrations/000003_t.down.sql": DOWN,
        },
      },
      ["migrations/000003_t.up.sql empty-migration warning"],
    ],
    [
      "a comment-only down file (documented irreversible) is a notice",
      {
        base: BASE,
        add: {
          "migrations/000003_t.up.sql": UP,
          "migrations/000003_t.down.sql": "-- irreversible: data migration\n",
        },
      },
      ["migrations/000003_t.down.sql empty-migration notice"],
    ],
    [
      "a whitespace-only down file",
      {
        base: BASE,
        add: { "migrations/000003_t.up.sql": UP, "migrations/000003_t.down.sql": " \n\t\n" },
      },
      ["migrations/000003_t.down.sql empty-migration warning"],
    ],
  ])("%s", async (_name, spec, expected) => {
    expect(brief(await findings(changeSet(spec))).sort()).toEqual([...expected].sort());
  });

  test("merged files the change does not touch are not reported", async () => {
    // The base already holds an ignored name and a version without a down file.
    const fs = await findings(
      changeSet({ base: { migrations: { ...BASE.migrations, "000003_x.up.sql": UP } }, add: {} }),
    );
    expect(fs).toEqual([]);
  });

  test("findings carry the message, the safer way and line 1", async () => {
    const [f] = await findings(
      changeSet({
        base: { migrations: { "20240101000000_a.up.sql": UP, "20240101000000_a.down.sql": DOWN } },
        add: {
          "migrations/20231231000000_b.up.sql": UP,
          "migrations/20231231000000_b.down.sql": DOWN,
        },
      }),
    );
    expect(f).toMatchObject({
      ruleId: "out-of-order-migration",
      severity: "error",
      path: "migrations/20231231000000_b.down.sql",
      startLine: 1,
      endLine: 1,
    });
    expect(f!.message).toMatch(/silently skips/);
    expect(f!.suggestion).toBe("Renumber it above 20240101000000, e.g. 20240101000001_b.down.sql.");
  });

  test("a deletion and a re-add under a new version is reported as both", async () => {
    const fs = await findings(
      changeSet({
        base: BASE,
        remove: ["migrations/000002_orders.up.sql"],
        add: { "migrations/000001_orders.up.sql": UP },
      }),
    );
    expect(brief(fs)).toEqual([
      "migrations/000001_orders.up.sql duplicate-migration-version error",
      "migrations/000002_orders.up.sql deleted-merged-migration error",
    ]);
  });
});

describe("severity overrides and suppression", () => {
  const noDown = changeSet({ base: BASE, add: { "migrations/000003_t.up.sql": UP } });

  test("config can raise or turn off a rule", async () => {
    expect(brief(await findings(noDown, "rules:\n  missing-down-migration: error\n"))).toEqual([
      "migrations/000003_t.up.sql missing-down-migration error",
    ]);
    expect(await findings(noDown, "rules:\n  missing-down-migration: off\n")).toEqual([]);
  });

  test("ignore-file with a reason suppresses and keeps the finding visible", async () => {
    const cs = changeSet({
      base: BASE,
      add: {
        "migrations/000003_t.up.sql": `-- migration-warden:ignore-file missing-down-migration -- data backfill, cannot be undone\n${UP}`,
      },
    });
    const { report } = await analyze(config(), cs, { tool });
    expect(report.findings).toEqual([
      expect.objectContaining({
        ruleId: "missing-down-migration",
        suppressed: { reason: "data backfill, cannot be undone" },
      }),
    ]);
    expect(report.summary).toEqual({ error: 0, warning: 0, notice: 0, suppressed: 1 });
  });

  test("an ignore comment without a reason suppresses nothing and is reported", async () => {
    const cs = changeSet({
      base: BASE,
      add: {
        "migrations/000003_t.up.sql": `-- migration-warden:ignore-file missing-down-migration\n${UP}`,
      },
    });
    expect(brief(await findings(cs))).toEqual([
      "migrations/000003_t.up.sql ignore-without-reason warning",
      "migrations/000003_t.up.sql missing-down-migration warning",
    ]);
  });

  test("an unknown rule id in an ignore comment is reported", async () => {
    const cs = changeSet({
      base: BASE,
      add: {
        "migrations/000003_t.up.sql": `-- migration-warden:ignore-file missing-down-migraton -- typo\n${UP}`,
        "migrations/000003_t.down.sql": DOWN,
      },
    });
    expect(brief(await findings(cs))).toEqual([
      "migrations/000003_t.up.sql ignore-unknown-rule warning",
    ]);
  });

  test("edits to merged migrations cannot be suppressed", async () => {
    const cs = changeSet({
      base: BASE,
      modify: {
        "migrations/000001_users.up.sql":
          "-- migration-warden:ignore-file modified-merged-migration -- trust me\nCREATE TABLE users (id int);",
      },
    });
    const fs = await findings(cs);
    expect(brief(fs)).toEqual(["migrations/000001_users.up.sql modified-merged-migration error"]);
  });
});

describe("several directories with their own dialects", () => {
  const yaml = `directories:
  - path: db/postgres
    dialect: postgres
  - path: db/mysql
    dialect: mysql
`;
  test("each directory has its own inventory and dialect", async () => {
    const cs = changeSet({
      base: {
        "db/postgres": {
          "1_a.up.sql": UP,
          "1_a.down.sql": DOWN,
          "2_b.up.sql": UP,
          "2_b.down.sql": DOWN,
        },
        "db/mysql": { "1_a.up.sql": UP, "1_a.down.sql": DOWN },
      },
      add: {
        // Version 2 is new for MySQL even though Postgres has it.
        "db/mysql/2_b.up.sql": UP,
        // '#' is a comment in MySQL only.
        "db/mysql/2_b.down.sql": "# nothing to undo\n",
        "db/postgres/1_c.up.sql": UP,
      },
    });
    expect(brief(await findings(cs, yaml)).sort()).toEqual([
      "db/mysql/2_b.down.sql empty-migration notice",
      "db/postgres/1_c.up.sql duplicate-migration-version error",
    ]);
  });

  test("a configured subdirectory is not reported as nested in its parent", async () => {
    const cs = changeSet({
      base: { db: {}, "db/pg": { "1_a.up.sql": UP, "1_a.down.sql": DOWN } },
      add: { "db/pg/2_b.up.sql": UP, "db/pg/2_b.down.sql": DOWN },
    });
    const fs = await findings(
      cs,
      "directories:\n  - { path: db, dialect: postgres }\n  - { path: db/pg, dialect: postgres }\n",
    );
    expect(fs).toEqual([]);
  });
});

describe("report fields", () => {
  test("changed lists every touched migration with version and status", async () => {
    const { report } = await analyze(
      config(),
      changeSet({
        base: BASE,
        add: {
          "migrations/000003_t.up.sql": UP,
          "migrations/9223372036854775807_max.down.sql": DOWN,
        },
        remove: ["migrations/000002_orders.down.sql"],
        modify: { "migrations/README.md": "x" },
      }),
      { tool },
    );
    expect(report.changed).toEqual([
      {
        path: "migrations/000002_orders.down.sql",
        version: "2",
        direction: "down",
        status: "removed",
      },
      { path: "migrations/000003_t.up.sql", version: "3", direction: "up", status: "added" },
      {
        path: "migrations/9223372036854775807_max.down.sql",
        version: "9223372036854775807",
        direction: "down",
        status: "added",
      },
    ]);
  });

  test("a migration-looking file in a subdirectory counts as changed (it needs approval)", async () => {
    const { report } = await analyze(
      config(),
      changeSet({ base: BASE, add: { "migrations/old/000009_x.up.sql": UP } }),
      { tool },
    );
    expect(report.changed).toEqual([
      { path: "migrations/old/000009_x.up.sql", version: null, direction: null, status: "added" },
    ]);
    expect(report.approvalRequired).toBe(true);
  });

  test.each<[string, string, Parameters<typeof changeSet>[0], boolean]>([
    [
      "always, migrations changed",
      "approval: { required: always }",
      {
        base: BASE,
        add: { "migrations/000003_t.up.sql": UP, "migrations/000003_t.down.sql": DOWN },
      },
      true,
    ],
    ["always, nothing changed", "approval: { required: always }", { base: BASE }, false],
    [
      "never",
      "approval: { required: never }",
      { base: BASE, add: { "migrations/000003_t.up.sql": UP } },
      false,
    ],
    [
      "risky, clean change",
      "approval: { required: risky }",
      {
        base: BASE,
        add: { "migrations/000003_t.up.sql": UP, "migrations/000003_t.down.sql": DOWN },
      },
      false,
    ],
    [
      "risky, a warning remains",
      "approval: { required: risky }",
      { base: BASE, add: { "migrations/000003_t.up.sql": UP } },
      true,
    ],
    [
      "risky, an error the change's own ignore comment suppressed (the DBA approves the waiver)",
      "approval: { required: risky }",
      {
        base: BASE,
        add: {
          "migrations/000003_t.up.sql":
            "-- migration-warden:ignore drop-table -- unused since v2\nDROP TABLE t;\n",
          "migrations/000003_t.down.sql": DOWN,
        },
      },
      true,
    ],
    [
      "risky, only a notice",
      "approval: { required: risky }",
      {
        base: BASE,
        add: {
          "migrations/000003_t.up.sql": UP,
          "migrations/000003_t.down.sql": "-- irreversible",
        },
      },
      false,
    ],
    [
      "never, but the analysis was incomplete",
      "approval: { required: never }",
      { base: BASE, incomplete: ["more than 3000 files"] },
      true,
    ],
  ])("approvalRequired: %s", async (_n, yaml, spec, expected) => {
    const { report } = await analyze(config(yaml), changeSet(spec), { tool });
    expect(report.approvalRequired).toBe(expected);
  });
});

describe("PATH mode", () => {
  test("only the files themselves are checked: no merged-migration or ordering checks", async () => {
    const cs: ChangeSet = {
      ...changeSet({ add: { "x/5_a.up.sql": UP, "x/05_b.up.sql": UP, "x/6_c_up.sql": UP } }),
      mode: "paths",
      base: null,
    };
    const { report } = await analyze(config(), cs, {
      tool,
      directories: [{ path: "x", dialect: "postgres", multiStatement: false }],
    });
    expect(brief(report.findings).sort()).toEqual([
      "x/05_b.up.sql duplicate-migration-version error",
      "x/05_b.up.sql missing-down-migration warning",
      "x/5_a.up.sql duplicate-migration-version error",
      "x/5_a.up.sql missing-down-migration warning",
      "x/6_c_up.sql invalid-migration-filename error",
    ]);
  });
});

describe("files whose content cannot be reviewed", () => {
  const pair = (up: string | Uint8Array) =>
    changeSet({
      base: BASE,
      add: { "migrations/000003_t.up.sql": up, "migrations/000003_t.down.sql": DOWN },
    });

  test("a binary file is reported and not parsed", async () => {
    expect(brief(await findings(pair(new Uint8Array([0x43, 0x00, 0x52, 0x3b]))))).toEqual([
      "migrations/000003_t.up.sql unanalyzable-migration-file error",
    ]);
  });

  test("a file over limits.maxFileBytes is reported and not parsed", async () => {
    const big = `-- migration-warden:ignore-file unanalyzable-migration-file -- trust me\n${"SELECT 1;\n".repeat(200)}`;
    const fs = await findings(pair(big), "limits:\n  maxFileBytes: 1000\n");
    expect(brief(fs)).toEqual(["migrations/000003_t.up.sql unanalyzable-migration-file error"]);
    expect(fs[0]!.message).toMatch(/over the 1000-byte limit/);
    expect(await findings(pair(big), "limits:\n  maxFileBytes: 100000\n")).toEqual([]);
  });

  test("symlinks and submodules are reported by kind", async () => {
    const cs = changeSet({ base: BASE });
    (cs.changes as object[]).push(
      { path: "migrations/000003_t.up.sql", status: "added", kind: "symlink", oid: "1".repeat(40) },
      {
        path: "migrations/000003_t.down.sql",
        status: "added",
        kind: "submodule",
        oid: "2".repeat(40),
      },
    );
    expect(brief(await findings(cs)).sort()).toEqual([
      "migrations/000003_t.down.sql unanalyzable-migration-file warning",
      "migrations/000003_t.up.sql unanalyzable-migration-file error",
    ]);
  });
});
