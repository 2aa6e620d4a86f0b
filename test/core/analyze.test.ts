/**
 * How the analysis runs the structural rules on a change: config overrides, ignore-file
 * comments, several directories, the report's fields and PATH mode. Each rule's own cases are in
 * test/core/rules/structure/<rule-id>.test.ts.
 */
import { analyze } from "../../src/core/analyze.js";
import type { ChangeSet } from "../../src/core/types.js";
import { BASE, DOWN, UP, brief, config, findings, tool } from "../helpers/structure.js";
import { changeSet } from "../support/changeset.js";

test("merged files the change does not touch are not reported", async () => {
  // The base already holds an ignored name and a version without a down file.
  const fs = await findings(
    changeSet({ base: { migrations: { ...BASE.migrations, "000003_x.up.sql": UP } }, add: {} }),
  );
  expect(fs).toEqual([]);
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
